//! Batched requests on the async connection: [`AsyncConn::execute_batch`].

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use super::{AsyncConn, Replies};
use crate::batch::{encode_request, BatchOptions, Budget};
use crate::error::Error;
use crate::message::{Header, HeaderType, Message, HEADER_LEN};
use crate::nlattrs::Policy;
use crate::socket::Socket;
use crate::typed::{name_field, NlRequest};

/// A request encoded for the batch (sequence and port id left 0 for the driver to fill).
struct Encoded {
    index: usize,
    bytes: Vec<u8>,
    /// The message length (`bytes` is padded).
    len: usize,
    dump: bool,
    policy: Option<(&'static Policy, usize)>,
}

impl Encoded {
    fn payload(&self) -> &[u8] {
        self.bytes.get(HEADER_LEN..self.len).unwrap_or_default()
    }
}

/// The result of one request of a batch: its data replies (acknowledgements left out).
type BatchResult = Result<Vec<Message>, Error>;

impl AsyncConn {
    /// Sends `requests` and returns one result per request, in order: its data replies
    /// (empty for a request that was only acknowledged), or its own error. One failing
    /// request neither hides the others' results nor stops the batch.
    ///
    /// As with [`Conn::execute_batch`](crate::Conn::execute_batch), every request gets
    /// [`REQUEST`](crate::HeaderFlags::REQUEST) and, unless it is a dump,
    /// [`ACKNOWLEDGE`](crate::HeaderFlags::ACKNOWLEDGE), so each one is answered; and the
    /// requests go out in windows sized from the socket's receive buffer (see the
    /// [`batch` module](crate::batch)), so the acknowledgements of a window always fit it:
    /// a window's requests are all issued at once (the driver packs them into as few
    /// `sendmsg` calls as [`Options::max_batch`](super::Options::max_batch) allows) and the
    /// next window starts when every answer of the previous one is in. A window is also at
    /// most [`Options::max_in_flight`](super::Options::max_in_flight) requests. Requests are
    /// submitted in the order given, so the kernel carries them out in that order.
    ///
    /// Errors per request are those of [`execute_raw`](AsyncConn::execute_raw) (a kernel
    /// refusal is [`Error::Op`] with the extended acknowledgement, naming the Rust field for
    /// a typed request), [`Error::Encode`] for a request that could not be encoded (not
    /// sent), and [`Error::Overrun`] for a request whose answer the kernel dropped (it may or
    /// may not have been carried out; the next windows are then halved). The
    /// [timeout](AsyncConn::set_timeout) bounds each request.
    ///
    /// ```
    /// use netlink::tokio::AsyncConn;
    /// use netlink::{Config, Family, HeaderFlags, HeaderType, Message};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), netlink::Error> {
    /// let conn = AsyncConn::dial(Family::GENERIC, Config::default()).await?;
    /// let noop = Message::new(HeaderType(0), HeaderFlags::REQUEST, vec![]);
    /// let bogus = Message::new(HeaderType(0x7ff0), HeaderFlags::REQUEST, vec![0; 4]);
    /// let results = conn.execute_batch([&noop, &bogus, &noop]).await;
    /// assert!(results[0].is_ok() && results[2].is_ok());
    /// assert!(results[1].as_ref().unwrap_err().errno().is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn execute_batch<I>(&self, requests: I) -> Vec<BatchResult>
    where
        I: IntoIterator,
        I::Item: NlRequest,
    {
        self.execute_batch_with_options(requests, &BatchOptions::default())
            .await
    }

    /// [`execute_batch`](AsyncConn::execute_batch) with [`BatchOptions`]: a smaller window,
    /// or the bytes of data replies to budget per request.
    pub async fn execute_batch_with_options<I>(
        &self,
        requests: I,
        options: &BatchOptions,
    ) -> Vec<BatchResult>
    where
        I: IntoIterator,
        I::Item: NlRequest,
    {
        // Encode everything first: the future then holds no iterator across awaits.
        let mut out: Vec<Option<BatchResult>> = Vec::new();
        let mut encoded = Vec::new();
        for (index, req) in requests.into_iter().enumerate() {
            out.push(None);
            let mut bytes = Vec::new();
            match encode_request(&req, 0, 0, &mut bytes) {
                Ok(dump) => {
                    let len = Header::from_bytes(&bytes)
                        .map(|h| h.length as usize)
                        .unwrap_or(bytes.len());
                    encoded.push(Encoded {
                        index,
                        bytes,
                        len,
                        dump,
                        policy: req.policy(),
                    });
                }
                Err(e) => {
                    if let Some(slot) = out.get_mut(index) {
                        *slot = Some(Err(e.into()));
                    }
                }
            }
        }

        let sock = self.socket();
        let capped = sock.and_then(|s| s.acks_capped()).unwrap_or(false);
        let mut budget = Budget::new(sock.and_then(|s| s.read_buffer_len()), capped, options);
        let in_flight = self.shared().options.max_in_flight.max(1);

        let mut next = 0usize;
        while next < encoded.len() {
            // 1. A window: what the receive buffer can answer.
            let mut used = 0usize;
            let mut end = next;
            while let Some(e) = encoded.get(end) {
                if end.saturating_sub(next) >= budget.max_window.min(in_flight) {
                    break;
                }
                let cost = budget.cost(e.len, e.dump);
                if end > next && used.saturating_add(cost) > budget.bytes {
                    break;
                }
                used = used.saturating_add(cost);
                end = end.saturating_add(1);
                if e.dump {
                    break;
                }
            }
            let window = encoded.get(next..end).unwrap_or_default();
            next = end;

            // 2. Issue it whole and wait for every answer.
            let results = self.run_window(window).await;
            let mut overrun = false;
            for (e, r) in window.iter().zip(results) {
                overrun |= matches!(r, Err(Error::Overrun { .. }));
                let r = match r {
                    Ok(replies) => Ok(replies
                        .iter()
                        .filter(|m| m.header.kind != HeaderType::ERROR)
                        .map(|m| m.to_owned())
                        .collect()),
                    Err(err) => Err(name_field(err, e.payload(), e.policy)),
                };
                if let Some(slot) = out.get_mut(e.index) {
                    *slot = Some(r);
                }
            }
            if overrun {
                budget.halve();
            }
        }
        out.into_iter()
            .map(|r| r.unwrap_or(Err(Error::Closed { op: "execute" })))
            .collect()
    }

    /// Issues every request of `window` (in order) and waits for all their answers.
    async fn run_window(&self, window: &[Encoded]) -> Vec<Result<Replies, Error>> {
        type Pending<'a> = Pin<Box<dyn Future<Output = Result<Replies, Error>> + Send + 'a>>;
        let mut futures: Vec<Option<Pending<'_>>> = window
            .iter()
            .map(|e| {
                let header = Header::from_bytes(&e.bytes).unwrap_or_default();
                let fut: Pending<'_> =
                    Box::pin(self.with_timeout(self.execute_inner(header, e.payload(), false)));
                Some(fut)
            })
            .collect();
        let mut results: Vec<Option<Result<Replies, Error>>> =
            std::iter::repeat_with(|| None).take(window.len()).collect();
        let mut open = window.len();
        std::future::poll_fn(|cx| {
            for (fut, result) in futures.iter_mut().zip(results.iter_mut()) {
                if let Some(f) = fut {
                    if let Poll::Ready(r) = f.as_mut().poll(cx) {
                        *result = Some(r);
                        *fut = None;
                        open = open.saturating_sub(1);
                    }
                }
            }
            if open == 0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(Error::Closed { op: "execute" })))
            .collect()
    }
}
