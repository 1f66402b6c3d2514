//! Typed requests and replies: derived [`NlAttrs`] types sent and received over a [`Conn`].
//!
//! A [`Request`] is a message type, flags and a body of any [`NlAttrs`] type (a derived
//! struct, usually with a `#[nla(header)]` family header). [`Conn::request`] sends it and
//! streams the replies as [`Replies`], which decodes each one into the type you name, borrowed
//! from the receive buffer or owned:
//!
//! ```no_run
//! use netlink::genl::{CtrlMessage, GENL_ID_CTRL};
//! use netlink::{Config, Conn, Family, HeaderType, Request};
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! // One reply, decoded into an owned value.
//! let req = Request::get(HeaderType(GENL_ID_CTRL), CtrlMessage::get_family("nlctrl"));
//! let nlctrl: CtrlMessage = conn.request_one(&req)?;
//! println!("nlctrl is family {:?}", nlctrl.family_id);
//!
//! // A dump, streamed through one buffer.
//! let req = Request::dump(HeaderType(GENL_ID_CTRL), CtrlMessage::new(
//!     netlink::genl::CtrlCommand::GetFamily,
//! ));
//! let mut replies = conn.request(&req)?;
//! while let Some(family) = replies.next_decoded::<CtrlMessage>() {
//!     println!("{:?}", family?.family_name);
//! }
//! # Ok::<(), netlink::Error>(())
//! ```
//!
//! When the kernel refuses a typed request and its extended acknowledgement points into the
//! request (`NLMSGERR_ATTR_OFFS`, or the nest of `NLMSGERR_ATTR_MISS_NEST`), the error's
//! [`ExtAck::field`](crate::ExtAck::field) names the Rust field at that offset, found with
//! the body's derived [`Policy`], and its `Display` says so
//! (`... (field CtrlMessage.family_name)`).

use crate::attr::Attrs;
use crate::conn::{Conn, Dump};
use crate::error::{DecodeError, EncodeError, Error};
use crate::message::{Header, HeaderFlags, HeaderType, Message, MessageRef, HEADER_LEN};
use crate::nlattrs::{NlAttrs, NlAttrsOwned, Policy};
use crate::socket::Socket;

/// A request whose payload is encoded from a typed body.
///
/// Implemented by [`Request`]; families may implement it for their own request types (a
/// request that knows its message type and flags, say).
pub trait NlRequest {
    /// The header to send: message type and flags. [`HeaderFlags::REQUEST`] is added when
    /// sending; length, sequence and port id are filled in by the connection.
    fn header(&self) -> Header;

    /// Appends the payload (family header and attributes) to `buf`.
    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// The body's policy and the length of its family header, used to name the field an
    /// extended acknowledgement points at. `None`: errors are left as the kernel sent them.
    fn policy(&self) -> Option<(&'static Policy, usize)> {
        None
    }

    /// The request as a [`Message`] with [`HeaderFlags::REQUEST`] added (for a batch, a
    /// resync dump, or anything that takes raw messages); the connection fills in the rest.
    fn to_message(&self) -> Result<Message, EncodeError> {
        let mut data = Vec::new();
        self.encode_payload(&mut data)?;
        let h = self.header();
        Ok(Message::new(h.kind, h.flags | HeaderFlags::REQUEST, data))
    }
}

/// A typed request: message type, flags and a body encoded with [`NlAttrs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<T> {
    /// The message type (`RTM_GETLINK`, a generic netlink family id, ...).
    pub kind: HeaderType,
    /// Flags besides [`HeaderFlags::REQUEST`], which is always set.
    pub flags: HeaderFlags,
    /// The payload.
    pub body: T,
}

impl<T> Request<T> {
    /// A request of type `kind` with `flags` (`REQUEST` is added when it is sent).
    pub fn new(kind: HeaderType, flags: HeaderFlags, body: T) -> Request<T> {
        Request { kind, flags, body }
    }

    /// A request for one object: no flags but `REQUEST`; the kernel answers with the object.
    pub fn get(kind: HeaderType, body: T) -> Request<T> {
        Request::new(kind, HeaderFlags::EMPTY, body)
    }

    /// A dump request (`NLM_F_DUMP`): the kernel answers with every matching object.
    pub fn dump(kind: HeaderType, body: T) -> Request<T> {
        Request::new(kind, HeaderFlags::DUMP, body)
    }

    /// A request that changes something and asks for an acknowledgement (`NLM_F_ACK`), with
    /// `flags` besides (`CREATE | EXCL` for a new object, say).
    pub fn change(kind: HeaderType, flags: HeaderFlags, body: T) -> Request<T> {
        Request::new(kind, flags | HeaderFlags::ACKNOWLEDGE, body)
    }

    /// The same request with more flags.
    pub fn with_flags(mut self, flags: HeaderFlags) -> Request<T> {
        self.flags |= flags;
        self
    }
}

impl<'a, T: NlAttrs<'a>> NlRequest for Request<T> {
    fn header(&self) -> Header {
        Header {
            kind: self.kind,
            flags: self.flags | HeaderFlags::REQUEST,
            ..Header::default()
        }
    }

    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.body.encode(buf).map(|_| ())
    }

    fn policy(&self) -> Option<(&'static Policy, usize)> {
        Some((T::policy(), T::HEADER_LEN))
    }
}

impl<R: NlRequest + ?Sized> NlRequest for &R {
    fn header(&self) -> Header {
        (**self).header()
    }

    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        (**self).encode_payload(buf)
    }

    fn policy(&self) -> Option<(&'static Policy, usize)> {
        (**self).policy()
    }
}

impl<S: Socket> Conn<S> {
    /// Sends a typed request and streams its replies (see [`Conn::dump`] for completion and
    /// checks). Replies are decoded as they are read, into the type given to
    /// [`Replies::next_decoded`] or [`Replies::decoded`].
    pub fn request<R: NlRequest>(&self, request: &R) -> Result<Replies<'_, S>, Error> {
        let mut payload = Vec::new();
        request.encode_payload(&mut payload)?;
        let mut header = request.header();
        header.flags |= HeaderFlags::REQUEST;
        let dump = self.dump_parts(header, &payload)?;
        Ok(Replies {
            dump,
            payload,
            policy: request.policy(),
        })
    }

    /// Sends a typed request and decodes every reply into an owned `T`.
    pub fn request_all<T: NlAttrsOwned, R: NlRequest>(&self, request: &R) -> Result<Vec<T>, Error> {
        self.request(request)?.decoded().collect()
    }

    /// Sends a typed request that is answered by exactly one message (a `get` of one object)
    /// and decodes it. No reply at all is a [`DecodeError::Invalid`].
    pub fn request_one<T: NlAttrsOwned, R: NlRequest>(&self, request: &R) -> Result<T, Error> {
        let mut replies = self.request(request)?;
        let mut first = None;
        while let Some(r) = replies.next_decoded::<T>() {
            let r = r?;
            first.get_or_insert(r);
        }
        first.ok_or_else(|| {
            Error::Decode(DecodeError::Invalid {
                offset: 0,
                attr_type: 0,
                reason: "the kernel sent no reply to the request".into(),
            })
        })
    }

    /// Sends a typed request with [`HeaderFlags::ACKNOWLEDGE`] and waits for the
    /// acknowledgement; replies carrying data (from `NLM_F_ECHO`, say) are skipped.
    pub fn request_ack<R: NlRequest>(&self, request: &R) -> Result<(), Error> {
        struct Acked<R>(R);
        impl<R: NlRequest> NlRequest for Acked<R> {
            fn header(&self) -> Header {
                let mut h = self.0.header();
                h.flags |= HeaderFlags::ACKNOWLEDGE;
                h
            }
            fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
                self.0.encode_payload(buf)
            }
            fn policy(&self) -> Option<(&'static Policy, usize)> {
                self.0.policy()
            }
        }
        let mut replies = self.request(&Acked(request))?;
        while let Some(r) = replies.next_ref() {
            r?;
        }
        Ok(())
    }
}

/// The replies to a typed request (see [`Conn::request`]), streamed from the connection's
/// buffer.
///
/// Errors the kernel reports carry the Rust field their extended acknowledgement points at
/// ([`ExtAck::field`](crate::ExtAck::field)).
pub struct Replies<'c, S: Socket = crate::NetlinkSocket> {
    dump: Dump<'c, S>,
    payload: Vec<u8>,
    policy: Option<(&'static Policy, usize)>,
}

impl<S: Socket> std::fmt::Debug for Replies<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replies")
            .field("dump", &self.dump)
            .finish_non_exhaustive()
    }
}

impl<'c, S: Socket> Replies<'c, S> {
    /// The request as it was sent (length, sequence and port id filled in).
    pub fn request(&self) -> &Header {
        self.dump.request()
    }

    /// The next reply, undecoded and borrowed from the buffer; `None` once the reply is
    /// complete.
    pub fn next_ref(&mut self) -> Option<Result<MessageRef<'_>, Error>> {
        let (payload, policy) = (&self.payload, self.policy);
        match self.dump.next_ref()? {
            Ok(m) => Some(Ok(m)),
            Err(e) => Some(Err(name_field(e, payload, policy))),
        }
    }

    /// The next reply decoded into `T`: borrowed types (`RouteMessage<'_>`) borrow from the
    /// buffer until the next call; owned ones are independent. `None` once the reply is
    /// complete. An acknowledgement carries no payload to decode: it ends the stream
    /// instead of being handed out.
    pub fn next_decoded<'b, T: NlAttrs<'b>>(&'b mut self) -> Option<Result<T, Error>> {
        let (payload, policy) = (&self.payload, self.policy);
        match self.dump.next_ref()? {
            Ok(m) if m.header.kind == HeaderType::ERROR => None,
            Ok(m) => Some(T::from_message(&m).map_err(Error::from)),
            Err(e) => Some(Err(name_field(e, payload, policy))),
        }
    }

    /// The replies as an iterator of owned `T`.
    pub fn decoded<T: NlAttrsOwned>(self) -> Decoded<'c, T, S> {
        Decoded {
            replies: self,
            _marker: std::marker::PhantomData,
        }
    }
}

/// The replies of a typed request decoded into owned values (see [`Replies::decoded`]).
pub struct Decoded<'c, T, S: Socket = crate::NetlinkSocket> {
    replies: Replies<'c, S>,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T, S: Socket> std::fmt::Debug for Decoded<'_, T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.replies.fmt(f)
    }
}

impl<T: NlAttrsOwned, S: Socket> Iterator for Decoded<'_, T, S> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Result<T, Error>> {
        self.replies.next_decoded::<T>()
    }
}

/// Fills in [`ExtAck::field`](crate::ExtAck::field) of a kernel error whose extended
/// acknowledgement points into the typed request `payload`.
pub(crate) fn name_field(
    e: Error,
    payload: &[u8],
    policy: Option<(&'static Policy, usize)>,
) -> Error {
    let Some((policy, header_len)) = policy else {
        return e;
    };
    let Error::Op(mut op) = e else {
        return e;
    };
    let target = op.ext_ack.offset.or(op.ext_ack.missing_nest);
    if let Some(path) = target.and_then(|o| field_at(payload, policy, header_len, o)) {
        op.ext_ack.field = Some(path.into());
    }
    Error::Op(op)
}

/// The field path of the attribute at `offset` (from the start of the request's netlink
/// header) of a request whose payload is `payload`.
fn field_at(payload: &[u8], policy: &Policy, header_len: usize, offset: u32) -> Option<String> {
    let offset = usize::try_from(offset).ok()?;
    let attrs_start = crate::enc::align(header_len)?;
    let attrs = payload.get(attrs_start..)?;
    let base = HEADER_LEN.checked_add(attrs_start)?;
    if offset < base {
        return None;
    }
    policy.path_at(Attrs::with_offset(attrs, base), offset)
}

#[cfg(all(test, feature = "derive"))]
mod tests {
    use super::*;
    use crate::genl::{CtrlMessage, McastGroup, GENL_ID_CTRL};
    use crate::{Indexed, Message};

    #[test]
    fn request_header_and_payload() {
        let req = Request::dump(HeaderType(GENL_ID_CTRL), CtrlMessage::get_family("x"));
        let h = req.header();
        assert_eq!(h.kind, HeaderType(GENL_ID_CTRL));
        assert_eq!(h.flags, HeaderFlags::REQUEST | HeaderFlags::DUMP);
        let mut buf = Vec::new();
        req.encode_payload(&mut buf).unwrap();
        assert_eq!(buf, CtrlMessage::get_family("x").to_bytes().unwrap());
    }

    #[test]
    fn field_named_from_offset() {
        let body = CtrlMessage {
            mcast_groups: Some(Indexed::from_values([McastGroup {
                id: Some(3),
                ..McastGroup::default()
            }])),
            ..CtrlMessage::get_family("nlctrl")
        };
        let payload = body.to_bytes().unwrap();
        // genlmsghdr (4) then FAMILY_NAME "nlctrl" (4 + 7, padded to 12), then the groups nest
        // at payload offset 16: request offset 32.
        let name = field_at(&payload, CtrlMessage::POLICY, 4, 20);
        assert_eq!(name.as_deref(), Some("CtrlMessage.family_name"));
        let nest = field_at(&payload, CtrlMessage::POLICY, 4, 32);
        assert_eq!(nest.as_deref(), Some("CtrlMessage.mcast_groups"));
        // Inside the nest: index 1's header at 36, its id attribute at 40.
        let id = field_at(&payload, CtrlMessage::POLICY, 4, 40);
        assert_eq!(id.as_deref(), Some("CtrlMessage.mcast_groups[1].id"));
        // Offsets in the netlink or family header name nothing.
        assert_eq!(field_at(&payload, CtrlMessage::POLICY, 4, 8), None);
        assert_eq!(field_at(&payload, CtrlMessage::POLICY, 4, 5000), None);
    }

    #[test]
    fn kernel_errors_get_the_field() {
        let body = CtrlMessage::get_family("nlctrl");
        let payload = body.to_bytes().unwrap();
        let mut op = crate::OpError::new("execute", libc::EINVAL);
        op.ext_ack.offset = Some(20);
        let e = name_field(Error::Op(op), &payload, Some((CtrlMessage::POLICY, 4)));
        let Error::Op(op) = &e else { panic!("{e:?}") };
        assert_eq!(op.ext_ack.field.as_deref(), Some("CtrlMessage.family_name"));
        assert!(
            e.to_string().contains("(field CtrlMessage.family_name)"),
            "{e}"
        );
        // Without a policy, or for other errors, nothing changes.
        let e = name_field(
            Error::Timeout { op: "execute" },
            &payload,
            Some((CtrlMessage::POLICY, 4)),
        );
        assert!(matches!(e, Error::Timeout { .. }));
    }

    #[test]
    fn typed_body_round_trips_through_a_message() {
        let body = CtrlMessage::get_family("nlctrl");
        let m = Message::new(
            HeaderType(GENL_ID_CTRL),
            HeaderFlags::REQUEST,
            body.to_bytes().unwrap(),
        );
        let back = CtrlMessage::from_message(&m).unwrap();
        assert_eq!(back, body);
    }
}
