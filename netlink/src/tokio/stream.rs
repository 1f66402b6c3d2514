//! Streams of an async connection: dump replies ([`DumpStream`], [`TypedDump`]) and multicast
//! events ([`Events`]).

use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use ::tokio::time::{Instant, Sleep};
use futures_core::Stream;

use super::permits::OwnedPermit;
use super::receive::EventItem;
use super::Inner;
use crate::error::Error;
use crate::events::Event;
use crate::message::{Header, Message, MessageRef, HEADER_LEN};
use crate::nlattrs::{DecodeOptions, NlAttrsOwned};
use crate::socket::RecvInfo;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DumpState {
    Open,
    /// The request is complete and `NLM_F_DUMP_INTR` was seen: one more item, then the end.
    Interrupted,
    Ended,
}

/// The replies to one request, streamed as they arrive (see
/// [`AsyncConn::dump`](super::AsyncConn::dump)).
///
/// Use [`next`](DumpStream::next) / [`next_as`](DumpStream::next_as) in a `while let` loop,
/// or the [`Stream`] impl. Dropping the stream before its end is safe: the driver drains and
/// discards the rest of the dump, and the next dump waits for it.
///
/// The driver reads the socket for every caller, so it cannot leave a slow reader's dump in
/// the kernel: replies that arrive faster than the stream is read wait in memory.
pub struct DumpStream {
    inner: Arc<Inner>,
    request: Header,
    /// Replies taken from the slot and not handed out yet.
    buf: Vec<u8>,
    pos: usize,
    state: DumpState,
    sleep: Option<Pin<Box<Sleep>>>,
    _permit: OwnedPermit,
}

impl std::fmt::Debug for DumpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DumpStream")
            .field("request", &self.request)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl DumpStream {
    pub(crate) fn new(
        inner: Arc<Inner>,
        request: Header,
        permit: OwnedPermit,
        deadline: Option<Instant>,
    ) -> DumpStream {
        DumpStream {
            inner,
            request,
            buf: Vec::new(),
            pos: 0,
            state: DumpState::Open,
            sleep: deadline.map(|d| Box::pin(::tokio::time::sleep_until(d))),
            _permit: permit,
        }
    }

    /// The request as it was sent (length, sequence and port id filled in).
    pub fn request(&self) -> &Header {
        &self.request
    }

    /// Polls for the next reply: its offset in `self.buf` and its header.
    fn poll_advance(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<usize, Error>>> {
        loop {
            if self.pos < self.buf.len() {
                let start = self.pos;
                let rest = self.buf.get(start..).unwrap_or_default();
                return match MessageRef::parse(rest) {
                    Ok((_, tail)) => {
                        self.pos = self.buf.len().saturating_sub(tail.len());
                        Poll::Ready(Some(Ok(start)))
                    }
                    Err(e) => {
                        self.end();
                        Poll::Ready(Some(Err(e.into())))
                    }
                };
            }
            match self.state {
                DumpState::Ended => return Poll::Ready(None),
                DumpState::Interrupted => {
                    self.state = DumpState::Ended;
                    return Poll::Ready(Some(Err(Error::DumpInterrupted {
                        partial: Vec::new(),
                    })));
                }
                DumpState::Open => {}
            }
            let seq = self.request.sequence;
            let outcome = {
                let shared = &self.inner.shared;
                let mut st = shared.lock();
                match st.slots.get_mut(&seq) {
                    None => Some(Err(Error::Closed { op: "execute" })),
                    Some(slot) if !slot.buf.is_empty() => {
                        self.buf.clear();
                        std::mem::swap(&mut self.buf, &mut slot.buf);
                        self.pos = 0;
                        continue;
                    }
                    Some(slot) => match slot.done.take() {
                        Some(r) => {
                            let interrupted = slot.interrupted;
                            st.slots.remove(&seq);
                            Some(r.map(|()| interrupted).map_err(|e| *e))
                        }
                        None => {
                            if !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                                slot.waker = Some(cx.waker().clone());
                            }
                            None
                        }
                    },
                }
            };
            match outcome {
                Some(Ok(true)) => self.state = DumpState::Interrupted,
                Some(Ok(false)) => {
                    self.state = DumpState::Ended;
                    return Poll::Ready(None);
                }
                Some(Err(e)) => {
                    self.state = DumpState::Ended;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    if let Some(sleep) = self.sleep.as_mut() {
                        if sleep.as_mut().poll(cx).is_ready() {
                            self.end();
                            return Poll::Ready(Some(Err(Error::Timeout { op: "execute" })));
                        }
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// Ends the stream early, abandoning the request.
    fn end(&mut self) {
        if self.state != DumpState::Ended {
            self.state = DumpState::Ended;
            // Replies taken from the connection and never handed out are discarded too.
            let unread = crate::message::messages(self.buf.get(self.pos..).unwrap_or_default())
                .count() as u64;
            self.inner
                .shared
                .late
                .fetch_add(unread, std::sync::atomic::Ordering::Relaxed);
            self.inner.shared.abandon(self.request.sequence);
        }
        self.buf.clear();
        self.pos = 0;
    }

    fn message_at(&self, start: usize) -> Option<MessageRef<'_>> {
        let rest = self.buf.get(start..)?;
        let h = Header::from_bytes(rest).ok()?;
        let end = (h.length as usize).min(rest.len());
        Some(MessageRef {
            header: h,
            data: rest.get(HEADER_LEN..end).unwrap_or_default(),
            offset: 0,
        })
    }

    /// Polls for the next reply as an owned [`Message`].
    pub fn poll_next_message(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Message, Error>>> {
        match self.poll_advance(cx) {
            Poll::Ready(Some(Ok(start))) => {
                Poll::Ready(self.message_at(start).map(|m| Ok(m.to_owned())))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Polls for the next reply decoded as `T` (with the default [`DecodeOptions`]); a
    /// decoding error is an item and does not end the stream.
    pub fn poll_next_as<T: NlAttrsOwned>(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<T, Error>>> {
        loop {
            return match self.poll_advance(cx) {
                Poll::Ready(Some(Ok(start))) => match self.message_at(start) {
                    // A sole acknowledgement (a request that only gets one) is not a reply.
                    Some(m) if m.header.kind == crate::HeaderType::ERROR => continue,
                    Some(m) => Poll::Ready(Some(
                        T::decode_message(&m, &DecodeOptions::default()).map_err(Error::from),
                    )),
                    None => continue,
                },
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }

    /// The next reply; `None` after the last.
    pub async fn next(&mut self) -> Option<Result<Message, Error>> {
        std::future::poll_fn(|cx| self.poll_next_message(cx)).await
    }

    /// The next reply decoded as `T`; `None` after the last.
    pub async fn next_as<T: NlAttrsOwned>(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| self.poll_next_as::<T>(cx)).await
    }

    /// Hands each reply, borrowed from the stream's buffer, to `f` until the end: no
    /// allocation per reply.
    pub async fn for_each_ref<F>(&mut self, mut f: F) -> Result<(), Error>
    where
        F: FnMut(MessageRef<'_>) -> Result<(), Error>,
    {
        loop {
            match std::future::poll_fn(|cx| self.poll_advance(cx)).await {
                None => return Ok(()),
                Some(Err(e)) => return Err(e),
                Some(Ok(start)) => {
                    if let Some(m) = self.message_at(start) {
                        f(m)?;
                    }
                }
            }
        }
    }

    /// Collects the remaining replies.
    pub async fn collect(mut self) -> Result<Vec<Message>, Error> {
        let mut out = Vec::new();
        while let Some(m) = self.next().await {
            out.push(m?);
        }
        Ok(out)
    }

    /// This stream with its replies decoded as `T`.
    pub fn typed<T: NlAttrsOwned>(self) -> TypedDump<T> {
        TypedDump {
            dump: self,
            _t: PhantomData,
        }
    }
}

impl Drop for DumpStream {
    fn drop(&mut self) {
        self.end();
    }
}

impl Stream for DumpStream {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_message(cx)
    }
}

/// A [`DumpStream`] whose replies are decoded as `T` (see
/// [`AsyncConn::dump_as`](super::AsyncConn::dump_as)).
pub struct TypedDump<T> {
    dump: DumpStream,
    _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for TypedDump<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.dump.fmt(f)
    }
}

impl<T: NlAttrsOwned> TypedDump<T> {
    /// The next reply; `None` after the last.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        self.dump.next_as::<T>().await
    }

    /// Collects the remaining replies.
    pub async fn collect(mut self) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while let Some(m) = self.next().await {
            out.push(m?);
        }
        Ok(out)
    }
}

impl<T: NlAttrsOwned> Stream for TypedDump<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().dump.poll_next_as::<T>(cx)
    }
}

/// The multicast messages of a connection (see [`AsyncConn::events`](super::AsyncConn::events)).
///
/// Each item is a message, or [`Error::Overrun`] where messages were lost (the kernel reported
/// `ENOBUFS`, or more than [`Options::event_capacity`](super::Options::event_capacity) events
/// waited): the stream goes on after it. It ends when the connection closes.
pub struct Events {
    inner: Arc<Inner>,
    local: VecDeque<EventItem>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("buffered", &self.local.len())
            .finish_non_exhaustive()
    }
}

impl Events {
    pub(crate) fn new(inner: Arc<Inner>) -> Events {
        Events {
            inner,
            local: VecDeque::new(),
        }
    }

    /// Polls for the next event and what the socket said about its datagram (the group with
    /// [`ConnOption::PacketInfo`](crate::ConnOption::PacketInfo)).
    pub fn poll_next_with_info(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Message, RecvInfo), Error>>> {
        loop {
            if let Some(item) = self.local.pop_front() {
                return Poll::Ready(Some(match item {
                    EventItem::Message(m, info) => Ok((m, info)),
                    EventItem::Overrun => Err(Error::Overrun { op: "events" }),
                    EventItem::Error(e) => Err(e),
                }));
            }
            let mut st = self.inner.shared.lock();
            if !st.events.items.is_empty() {
                std::mem::swap(&mut self.local, &mut st.events.items);
                continue;
            }
            if st.closed {
                return Poll::Ready(None);
            }
            if !st
                .events
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                st.events.waker = Some(cx.waker().clone());
            }
            return Poll::Pending;
        }
    }

    /// Polls for the next event that `decode` turns into a `T` (it returns `None` for a
    /// message to skip), an overrun becoming [`Event::Overrun`]: the shared body of the
    /// decoded event streams of the families.
    pub(crate) fn poll_decoded<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut decode: impl FnMut(&Message) -> Option<Result<T, Error>>,
    ) -> Poll<Option<Result<Event<T>, Error>>> {
        loop {
            let item = match ready!(self.poll_next_with_info(cx)) {
                None => return Poll::Ready(None),
                Some(item) => item,
            };
            return Poll::Ready(Some(match item {
                Ok((m, _)) => match decode(&m) {
                    Some(r) => r.map(Event::Message),
                    None => continue,
                },
                Err(Error::Overrun { .. }) => Ok(Event::Overrun),
                Err(e) => Err(e),
            }));
        }
    }

    /// A handle on the connection the events arrive on (its counts, socket options, or
    /// [`close`](super::AsyncConn::close)).
    pub fn conn(&self) -> super::AsyncConn {
        super::AsyncConn {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Drops every event queued now (messages, overrun marks and errors) and returns the
    /// number of messages dropped; what the connection receives from then on is kept.
    ///
    /// For a resync after an overrun: discard, then dump the state (on another connection),
    /// then read on. The events discarded are older than the dump, which supersedes them, and
    /// every change after the discard is in the dump or in the events that follow. (Datagrams
    /// the kernel has queued on the socket and the driver has not read yet are not
    /// discarded: they arrive after the call, older than the dump; applying such a change
    /// again is harmless, as with any change that shows both in a dump and in an event.)
    pub fn discard_queued(&mut self) -> u64 {
        let mut st = self.inner.shared.lock();
        let queued = std::mem::take(&mut st.events.items);
        drop(st);
        self.local
            .drain(..)
            .chain(queued)
            .filter(|item| matches!(item, EventItem::Message(..)))
            .count() as u64
    }

    /// The next event: a message, or an overrun; `None` once the connection is closed.
    pub async fn next(&mut self) -> Option<Result<Message, Error>> {
        std::future::poll_fn(|cx| self.poll_next_with_info(cx))
            .await
            .map(|r| r.map(|(m, _)| m))
    }

    /// The next event with its datagram's [`RecvInfo`].
    pub async fn next_with_info(&mut self) -> Option<Result<(Message, RecvInfo), Error>> {
        std::future::poll_fn(|cx| self.poll_next_with_info(cx)).await
    }

    /// The next event decoded as `T` (a decoding error is an item, not the end).
    pub async fn next_as<T: NlAttrsOwned>(&mut self) -> Option<Result<T, Error>> {
        let m = self.next().await?;
        Some(m.and_then(|m| {
            T::decode_message(&m.as_message_ref(), &DecodeOptions::default()).map_err(Error::from)
        }))
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let mut st = self.inner.shared.lock();
        st.events.taken = false;
        st.events.waker = None;
        // Events taken from the queue and not handed out go back to its front.
        while let Some(item) = self.local.pop_back() {
            st.events.items.push_front(item);
        }
    }
}

impl Stream for Events {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_next_with_info(cx)
            .map(|o| o.map(|r| r.map(|(m, _)| m)))
    }
}
