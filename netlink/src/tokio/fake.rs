//! A fake [`Transport`] for tests of async code (features `tokio` and `testing`): the
//! counterpart of [`FakeSocket`](crate::testing::FakeSocket) for [`AsyncConn`](super::AsyncConn).

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::transport::Transport;
use crate::error::Error;
use crate::message::{messages, Message};
use crate::socket::RecvInfo;
use crate::testing::FAKE_PID;

/// Answers one request: the replies to queue (their zero sequence and port id fields are set
/// to the request's), or an error that the send reports.
pub type AsyncHandler = Box<dyn FnMut(&Message) -> Result<Vec<Message>, Error> + Send>;

enum Queued {
    Datagram(Vec<u8>, RecvInfo),
    Error(Error),
}

struct State {
    handler: Option<AsyncHandler>,
    queue: VecDeque<Queued>,
    requests: Vec<Message>,
    sends: usize,
    receives: usize,
    per_datagram: usize,
    hold: bool,
    waker: Option<Waker>,
    watching: bool,
}

/// A fake transport: each request of a sent datagram goes to a closure whose replies are
/// queued for the connection to receive (one datagram per reply by default, as the kernel
/// sends dumps). Tests can also queue datagrams, multicast events and receive errors
/// themselves, hold replies back to exercise requests in flight, and read back every request.
///
/// ```
/// use netlink::testing::ack;
/// use netlink::tokio::{AsyncConn, FakeTransport};
/// use netlink::{HeaderFlags, HeaderType, Message};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), netlink::Error> {
/// let fake = std::sync::Arc::new(FakeTransport::new(|req: &Message| Ok(vec![ack(req)])));
/// let conn = AsyncConn::from_transport(fake.clone())?;
/// let req = Message::new(HeaderType(0x10), HeaderFlags::REQUEST | HeaderFlags::ACKNOWLEDGE, vec![]);
/// let replies = conn.execute(&req).await?;
/// assert_eq!(replies[0].header.kind, HeaderType::ERROR);
/// assert_eq!(fake.requests().len(), 1);
/// # Ok(())
/// # }
/// ```
pub struct FakeTransport {
    pid: u32,
    state: Mutex<State>,
}

impl std::fmt::Debug for FakeTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeTransport")
            .field("pid", &self.pid)
            .finish_non_exhaustive()
    }
}

fn encode_all(msgs: &[Message]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for m in msgs {
        let _ = m.encode_into(&mut bytes);
    }
    bytes
}

impl FakeTransport {
    /// A fake whose replies come from `handler`, called once per request.
    pub fn new<F>(handler: F) -> FakeTransport
    where
        F: FnMut(&Message) -> Result<Vec<Message>, Error> + Send + 'static,
    {
        FakeTransport::build(Some(Box::new(handler)))
    }

    /// A fake that answers nothing: tests push datagrams themselves.
    pub fn listener() -> FakeTransport {
        FakeTransport::build(None)
    }

    fn build(handler: Option<AsyncHandler>) -> FakeTransport {
        FakeTransport {
            pid: FAKE_PID,
            state: Mutex::new(State {
                handler,
                queue: VecDeque::new(),
                requests: Vec::new(),
                sends: 0,
                receives: 0,
                per_datagram: 1,
                hold: false,
                waker: None,
                watching: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Uses port id `pid` instead of [`FAKE_PID`].
    pub fn with_pid(mut self, pid: u32) -> FakeTransport {
        self.pid = pid;
        self
    }

    /// Packs up to `n` replies of one request into each datagram (default 1).
    pub fn with_messages_per_datagram(self, n: usize) -> FakeTransport {
        self.lock().per_datagram = n.max(1);
        self
    }

    /// Every request sent so far.
    pub fn requests(&self) -> Vec<Message> {
        self.lock().requests.clone()
    }

    /// The number of datagrams (`sendmsg` calls) sent so far.
    pub fn sends(&self) -> usize {
        self.lock().sends
    }

    /// The number of receive calls (`recvmmsg`) made so far, those that found nothing
    /// included.
    pub fn receives(&self) -> usize {
        self.lock().receives
    }

    /// While `hold` is on, queued datagrams are not delivered (requests stay in flight).
    pub fn hold(&self, hold: bool) {
        let mut st = self.lock();
        st.hold = hold;
        if !hold {
            if let Some(w) = st.waker.take() {
                w.wake();
            }
        }
    }

    /// Queues one datagram holding `msgs`, from the kernel.
    pub fn push(&self, msgs: &[Message]) {
        self.push_with_info(msgs, RecvInfo::default());
    }

    /// Queues one datagram holding `msgs`, multicast to `group` (a bitmask in the sender
    /// address, as the kernel reports it).
    pub fn push_event(&self, msgs: &[Message], group: u32) {
        self.push_with_info(
            msgs,
            RecvInfo {
                sender_groups: group,
                ..RecvInfo::default()
            },
        );
    }

    /// Queues one datagram holding `msgs` with the given sender details.
    pub fn push_with_info(&self, msgs: &[Message], info: RecvInfo) {
        let bytes = encode_all(msgs);
        let info = RecvInfo {
            len: bytes.len(),
            ..info
        };
        let mut st = self.lock();
        st.queue.push_back(Queued::Datagram(bytes, info));
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    }

    /// Queues a receive error (such as [`Error::Overrun`]).
    pub fn push_error(&self, e: Error) {
        let mut st = self.lock();
        st.queue.push_back(Queued::Error(e));
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    }

    /// Whether the fake watches for datagrams, as a socket armed for readiness does: from
    /// a receive that found none and asked to be woken until the connection goes
    /// [idle](Transport::idle) (not merely until the wake-up, like the readiness gate of a
    /// real socket, which stays in its epoll set until the connection is idle).
    pub fn watching(&self) -> bool {
        self.lock().watching
    }

    /// Datagrams queued and not received yet.
    pub fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    fn take(
        &self,
        st: &mut State,
        bufs: &mut [Vec<u8>],
        infos: &mut [RecvInfo],
    ) -> Result<usize, Error> {
        st.receives += 1;
        if st.hold {
            return Ok(0);
        }
        let mut n = 0;
        for (buf, info) in bufs.iter_mut().zip(infos.iter_mut()) {
            match st.queue.front() {
                None => break,
                Some(Queued::Error(_)) if n > 0 => break,
                Some(_) => {}
            }
            match st.queue.pop_front() {
                Some(Queued::Datagram(bytes, i)) => {
                    buf.clear();
                    buf.extend_from_slice(&bytes);
                    *info = i;
                    n += 1;
                }
                Some(Queued::Error(e)) => return Err(e),
                None => break,
            }
        }
        Ok(n)
    }
}

impl Transport for FakeTransport {
    fn pid(&self) -> u32 {
        self.pid
    }

    fn poll_send(&self, _cx: &mut Context<'_>, datagram: &[u8]) -> Poll<Result<(), Error>> {
        let mut requests = Vec::new();
        for m in messages(datagram) {
            match m {
                Ok(m) => requests.push(m.to_owned()),
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
        let mut st = self.lock();
        st.sends += 1;
        st.requests.extend(requests.iter().cloned());
        let per = st.per_datagram;
        for req in &requests {
            let Some(handler) = st.handler.as_mut() else {
                continue;
            };
            let mut replies = handler(req)?;
            for r in &mut replies {
                if r.header.sequence == 0 {
                    r.header.sequence = req.header.sequence;
                }
                if r.header.pid == 0 {
                    r.header.pid = req.header.pid;
                }
            }
            for chunk in replies.chunks(per) {
                let bytes = encode_all(chunk);
                let info = RecvInfo {
                    len: bytes.len(),
                    ..RecvInfo::default()
                };
                st.queue.push_back(Queued::Datagram(bytes, info));
            }
        }
        if let Some(w) = st.waker.take() {
            w.wake();
        }
        Poll::Ready(Ok(()))
    }

    fn try_recv(&self, bufs: &mut [Vec<u8>], infos: &mut [RecvInfo]) -> Result<usize, Error> {
        let mut st = self.lock();
        self.take(&mut st, bufs, infos)
    }

    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [Vec<u8>],
        infos: &mut [RecvInfo],
    ) -> Poll<Result<usize, Error>> {
        let mut st = self.lock();
        match self.take(&mut st, bufs, infos) {
            Ok(0) => {
                st.waker = Some(cx.waker().clone());
                st.watching = true;
                Poll::Pending
            }
            other => Poll::Ready(other),
        }
    }

    fn idle(&self) {
        let mut st = self.lock();
        st.waker = None;
        st.watching = false;
    }
}
