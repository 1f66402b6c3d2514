//! Typed requests streamed on the async connection: [`AsyncConn::request_stream`].

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::{typed_parts, AsyncConn, TypedDump};
use crate::error::Error;
use crate::nlattrs::{NlAttrsOwned, Policy};
use crate::typed::{name_field, NlRequest};

impl AsyncConn {
    /// Sends a typed request ([`Request`](crate::Request), a route or generic netlink request
    /// builder, any [`NlRequest`]) and streams its replies decoded as `T`, as they arrive:
    /// the async form of [`Conn::request`](crate::Conn::request)`(..).decoded()`.
    ///
    /// `REQUEST` is added; a sole acknowledgement is not a reply; a kernel error names the
    /// Rust field its extended acknowledgement points at
    /// ([`ExtAck::field`](crate::ExtAck::field)), as with
    /// [`request_all`](AsyncConn::request_all). Dumps behave as in [`dump`](AsyncConn::dump):
    /// one at a time per socket, and dropping the stream part way is safe.
    pub async fn request_stream<T: NlAttrsOwned, R: NlRequest>(
        &self,
        request: &R,
    ) -> Result<RequestStream<T>, Error> {
        let (header, payload) = typed_parts(request, crate::HeaderFlags::EMPTY)?;
        let policy = request.policy();
        let dump = self.dump_raw(header, &payload).await?;
        Ok(RequestStream {
            dump: dump.typed(),
            payload,
            policy,
        })
    }
}

/// The replies to a typed request decoded as `T` (see [`AsyncConn::request_stream`]): a
/// [`Stream`] of `Result<T, Error>`, or [`next`](RequestStream::next) in a `while let` loop.
///
/// A decoding error is an item and does not end the stream; a kernel error is the last item
/// and names the Rust field of the request it points at.
pub struct RequestStream<T> {
    dump: TypedDump<T>,
    payload: Vec<u8>,
    policy: Option<(&'static Policy, usize)>,
}

impl<T> std::fmt::Debug for RequestStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestStream")
            .field("dump", &self.dump)
            .finish_non_exhaustive()
    }
}

impl<T: NlAttrsOwned> RequestStream<T> {
    /// The next reply; `None` after the last.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| self.poll_next_reply(cx)).await
    }

    /// Collects the remaining replies; the first error ends the collection.
    pub async fn collect(mut self) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while let Some(m) = self.next().await {
            out.push(m?);
        }
        Ok(out)
    }

    fn poll_next_reply(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        match Pin::new(&mut self.dump).poll_next(cx) {
            Poll::Ready(Some(Err(e))) => {
                Poll::Ready(Some(Err(name_field(e, &self.payload, self.policy))))
            }
            other => other,
        }
    }
}

impl<T: NlAttrsOwned> Stream for RequestStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_reply(cx)
    }
}
