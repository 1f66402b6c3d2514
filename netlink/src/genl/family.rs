//! A handle for any generic netlink family: declare it once ([`GenlFamily`] and its
//! [`Command`]s), resolve it through `nlctrl` ([`GenlHandle::resolve`]), then send typed
//! requests and read typed replies and events, the `genlmsghdr` filled in.
//!
//! ```no_run
//! use netlink::genl::{Command, GenlFamily, GenlHandle};
//! use netlink::{Config, Conn, Family, NlAttrs, UnknownAttrs};
//!
//! /// The kernel's `nlctrl`, declared as a user would declare any family.
//! struct Ctrl;
//! impl GenlFamily for Ctrl {
//!     const NAME: &'static str = "nlctrl";
//!     const VERSION: u8 = 2;
//! }
//!
//! #[derive(NlAttrs, Debug, Default)]
//! struct Fam {
//!     #[nla(type = 2)] name: Option<String>,
//!     #[nla(type = 1)] id: Option<u16>,
//!     #[nla(unknown)] rest: UnknownAttrs,
//! }
//!
//! const GET_FAMILY: Command<Ctrl, Fam> = Command::new(3, "CTRL_CMD_GETFAMILY");
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! let ctrl = GenlHandle::<Ctrl>::resolve(&conn)?;
//! for fam in ctrl.dump(&conn, GET_FAMILY, &Fam::default())? {
//!     let fam = fam?;
//!     println!("{:?} {:?}", fam.name, fam.id);
//! }
//! # Ok::<(), netlink::Error>(())
//! ```

use core::fmt;
use core::marker::PhantomData;

use crate::attr::{AttributeEncoder, Attrs};
use crate::error::{DecodeError, EncodeError, Error, GenlError};
use crate::genl::nlctrl::{CtrlCommand, CtrlMessage, GenlHeader, GENL_ID_CTRL};
use crate::message::{Header, HeaderFlags, HeaderType, Message, MessageRef};
use crate::nlattrs::{DecodeOptions, NlAttrs, NlAttrsOwned, NlStruct, Policy};
use crate::typed::{Decoded, NlRequest, Request};
use crate::{Conn, NetlinkSocket, Socket};

/// `GENL_ADMIN_PERM`: the operation needs `CAP_NET_ADMIN`.
pub const GENL_ADMIN_PERM: u32 = 0x01;
/// `GENL_CMD_CAP_DO`: the operation has a `do` form.
pub const GENL_CMD_CAP_DO: u32 = 0x02;
/// `GENL_CMD_CAP_DUMP`: the operation has a `dump` form.
pub const GENL_CMD_CAP_DUMP: u32 = 0x04;
/// `GENL_CMD_CAP_HASPOL`: the operation has an attribute policy.
pub const GENL_CMD_CAP_HASPOL: u32 = 0x08;
/// `GENL_UNS_ADMIN_PERM`: the operation needs `CAP_NET_ADMIN` in the socket's user namespace.
pub const GENL_UNS_ADMIN_PERM: u32 = 0x10;

/// A generic netlink family as a Rust type: its name (what `nlctrl` resolves) and the protocol
/// version its requests carry. Commands are [`Command`] constants that tie a command number to
/// its request and reply types.
pub trait GenlFamily {
    /// The family's name (`"ethtool"`, `"netdev"`, ...).
    const NAME: &'static str;
    /// The version written into the `genlmsghdr` of requests.
    const VERSION: u8;
}

/// One command of family `F`: its number, name, request type `Req` and reply type `Rep`
/// (requests and replies of most commands share one attribute set, hence the default).
///
/// Declared as a constant next to the family, so that a request of the wrong type or a reply
/// read as the wrong type does not compile.
pub struct Command<F, Req, Rep = Req> {
    cmd: u8,
    name: &'static str,
    _types: PhantomData<Types<F, Req, Rep>>,
}

/// The types a [`Command`] ties together, without owning any (always `Send + Sync`).
type Types<F, Req, Rep> = fn() -> (F, Req, Rep);

impl<F, Req, Rep> Command<F, Req, Rep> {
    /// The command numbered `cmd`, called `name` in errors.
    pub const fn new(cmd: u8, name: &'static str) -> Command<F, Req, Rep> {
        Command {
            cmd,
            name,
            _types: PhantomData,
        }
    }

    /// The command number (`genlmsghdr.cmd`).
    pub const fn cmd(&self) -> u8 {
        self.cmd
    }

    /// The command's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<F, Req, Rep> Clone for Command<F, Req, Rep> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F, Req, Rep> Copy for Command<F, Req, Rep> {}

impl<F, Req, Rep> fmt::Debug for Command<F, Req, Rep> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.cmd)
    }
}

/// A generic netlink message: the `genlmsghdr` and an attribute set `T` (with `T`'s own family
/// header, if it has one, right after the `genlmsghdr`).
///
/// Lets any [`NlAttrs`] type travel as a generic netlink payload without declaring the
/// `genlmsghdr` itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GenlMessage<T> {
    /// The command and version.
    pub header: GenlHeader,
    /// The attributes.
    pub body: T,
}

impl<'a, T: NlAttrs<'a>> NlAttrs<'a> for GenlMessage<T> {
    const POLICY: &'static Policy = &Policy {
        header_len: GenlHeader::SIZE + T::POLICY.header_len,
        // The body's family field is not at the start of this header: not checked.
        header_family: None,
        ..*T::POLICY
    };
    const HEADER_LEN: usize = GenlHeader::SIZE + T::HEADER_LEN;

    fn encode_header(&self, buf: &mut Vec<u8>) {
        self.header.write_to(buf);
        self.body.encode_header(buf);
    }

    fn encode_attrs(&self, ae: &mut AttributeEncoder<'_>) -> Result<(), EncodeError> {
        self.body.encode_attrs(ae)
    }

    fn decode_parts(
        header: &'a [u8],
        attrs: Attrs<'a>,
        opts: &DecodeOptions,
    ) -> Result<Self, DecodeError> {
        let (genl, rest) = header.split_at(GenlHeader::SIZE.min(header.len()));
        Ok(GenlMessage {
            header: GenlHeader::read_from(genl),
            body: T::decode_parts(rest, attrs, opts)?,
        })
    }
}

/// One operation of a resolved family (`CTRL_ATTR_OPS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpInfo {
    /// The command number.
    pub cmd: u32,
    /// `GENL_ADMIN_PERM`, `GENL_CMD_CAP_*`, ...
    pub flags: u32,
}

impl OpInfo {
    /// Whether the operation has a `do` form. An operation listed without any capability bit
    /// (`GENL_CMD_CAP_*` are newer than the operation list) is taken to have both forms.
    pub fn can_do(&self) -> bool {
        self.flags & (GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP) == 0 || self.flags & GENL_CMD_CAP_DO != 0
    }

    /// Whether the operation has a `dump` form.
    pub fn can_dump(&self) -> bool {
        self.flags & (GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP) == 0
            || self.flags & GENL_CMD_CAP_DUMP != 0
    }
}

/// One multicast group of a resolved family (`CTRL_ATTR_MCAST_GROUPS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    /// The group's name.
    pub name: String,
    /// The group number to join.
    pub id: u32,
}

/// What `CTRL_CMD_GETFAMILY` says about a family, with every field checked present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyInfo {
    /// The family's name.
    pub name: String,
    /// Its message type.
    pub id: u16,
    /// Its protocol version.
    pub version: u32,
    /// Size of its own header after `genlmsghdr`.
    pub header_size: u32,
    /// Its highest attribute type.
    pub max_attr: u32,
    /// Its operations.
    pub ops: Vec<OpInfo>,
    /// Its multicast groups.
    pub groups: Vec<GroupInfo>,
}

impl FamilyInfo {
    /// The family a `CTRL_CMD_GETFAMILY` reply describes. A reply without a name or an id is a
    /// [`DecodeError::MissingAttribute`].
    pub fn from_ctrl(msg: &CtrlMessage) -> Result<FamilyInfo, DecodeError> {
        let missing = |attr_type, field| DecodeError::MissingAttribute {
            offset: 0,
            attr_type,
            field,
        };
        let ops = msg
            .ops
            .iter()
            .flat_map(|ops| ops.values())
            .filter_map(|op| {
                Some(OpInfo {
                    cmd: op.id?,
                    flags: op.flags.unwrap_or(0),
                })
            })
            .collect();
        let groups = msg
            .mcast_groups
            .iter()
            .flat_map(|g| g.values())
            .filter_map(|g| {
                Some(GroupInfo {
                    name: g.name.clone()?,
                    id: g.id?,
                })
            })
            .collect();
        Ok(FamilyInfo {
            name: msg
                .family_name
                .clone()
                .ok_or_else(|| missing(2, "CtrlMessage.family_name"))?,
            id: msg
                .family_id
                .ok_or_else(|| missing(1, "CtrlMessage.family_id"))?,
            version: msg.version.unwrap_or(0),
            header_size: msg.header_size.unwrap_or(0),
            max_attr: msg.max_attr.unwrap_or(0),
            ops,
            groups,
        })
    }

    /// Looks up the family called `name` through `nlctrl`. A family the kernel lacks is
    /// [`GenlError::UnknownFamily`] (for which [`Error::is_not_found`] holds).
    pub fn resolve<S: Socket>(conn: &Conn<S>, name: &str) -> Result<FamilyInfo, Error> {
        let request = Request::get(HeaderType(GENL_ID_CTRL), CtrlMessage::get_family(name));
        let mut found = None;
        for reply in conn
            .request(&request)
            .map_err(|e| unknown_family(e, name))?
            .decoded::<CtrlMessage>()
        {
            found = Some(FamilyInfo::from_ctrl(
                &reply.map_err(|e| unknown_family(e, name))?,
            )?);
        }
        found.ok_or_else(|| {
            GenlError::UnknownFamily {
                family: name.to_owned(),
            }
            .into()
        })
    }

    /// Every family of the kernel, from a `CTRL_CMD_GETFAMILY` dump.
    pub fn list<S: Socket>(conn: &Conn<S>) -> Result<Vec<FamilyInfo>, Error> {
        let request = Request::dump(
            HeaderType(GENL_ID_CTRL),
            CtrlMessage::new(CtrlCommand::GetFamily),
        );
        conn.request(&request)?
            .decoded::<CtrlMessage>()
            .map(|m| Ok(FamilyInfo::from_ctrl(&m?)?))
            .collect()
    }

    /// The operation with command number `cmd`, if the family has it.
    pub fn op(&self, cmd: u8) -> Option<&OpInfo> {
        self.ops.iter().find(|o| o.cmd == u32::from(cmd))
    }

    /// The number of the multicast group called `name`, if the family has one.
    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|g| g.name == name).map(|g| g.id)
    }
}

/// [`GenlError::UnknownFamily`] for `nlctrl`'s `ENOENT` when resolving `name`.
pub(super) fn unknown_family(e: Error, name: &str) -> Error {
    if e.op_error().is_some_and(|o| o.errno == libc::ENOENT) {
        GenlError::UnknownFamily {
            family: name.to_owned(),
        }
        .into()
    } else {
        e
    }
}

/// A resolved family `F`: its id, version, operations and groups, and typed requests.
///
/// Resolve it once per connection's namespace and keep it: the id does not change while the
/// family stays registered.
pub struct GenlHandle<F> {
    info: FamilyInfo,
    _family: PhantomData<fn() -> F>,
}

impl<F> Clone for GenlHandle<F> {
    fn clone(&self) -> Self {
        GenlHandle {
            info: self.info.clone(),
            _family: PhantomData,
        }
    }
}

impl<F> fmt::Debug for GenlHandle<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GenlHandle").field(&self.info).finish()
    }
}

impl<F: GenlFamily> GenlHandle<F> {
    /// Resolves `F` through `nlctrl` (`CTRL_CMD_GETFAMILY`). A kernel without the family gives
    /// [`GenlError::UnknownFamily`].
    pub fn resolve<S: Socket>(conn: &Conn<S>) -> Result<GenlHandle<F>, Error> {
        FamilyInfo::resolve(conn, F::NAME).map(GenlHandle::from_info)
    }

    /// A handle from a family already looked up (by [`FamilyInfo::list`], say).
    pub fn from_info(info: FamilyInfo) -> GenlHandle<F> {
        GenlHandle {
            info,
            _family: PhantomData,
        }
    }

    /// What the kernel said about the family.
    pub fn info(&self) -> &FamilyInfo {
        &self.info
    }

    /// The family's message type.
    pub fn id(&self) -> u16 {
        self.info.id
    }

    /// Checks that the kernel has the `do` (or `dump`) form of `command`.
    pub fn check_op<Req, Rep>(
        &self,
        command: Command<F, Req, Rep>,
        dump: bool,
    ) -> Result<(), GenlError> {
        let ok =
            self.info
                .op(command.cmd)
                .is_some_and(|o| if dump { o.can_dump() } else { o.can_do() });
        if ok {
            return Ok(());
        }
        Err(GenlError::UnsupportedOperation {
            family: self.info.name.clone(),
            command: command.name,
            cmd: command.cmd,
            form: if dump { "dump" } else { "do" },
        })
    }

    /// `request` as a typed request ([`NlRequest`]) of command `command` with `flags`: the
    /// family's id, the `genlmsghdr` (command, version) and the body. Kernel errors pointing
    /// into it name the Rust field ([`ExtAck::field`](crate::ExtAck::field)).
    pub fn request<'r, Req, Rep>(
        &self,
        command: Command<F, Req, Rep>,
        request: &'r Req,
        flags: HeaderFlags,
    ) -> GenlRequest<'r, Req> {
        GenlRequest {
            kind: HeaderType(self.info.id),
            flags,
            header: GenlHeader {
                cmd: command.cmd,
                version: F::VERSION,
                reserved: 0,
            },
            body: request,
        }
    }

    /// `request` as an encoded message of command `command` with `flags` (`REQUEST` added).
    pub fn message<'r, Req: NlAttrs<'r>, Rep>(
        &self,
        command: Command<F, Req, Rep>,
        request: &Req,
        flags: HeaderFlags,
    ) -> Result<Message, Error> {
        Ok(self.request(command, request, flags).to_message()?)
    }

    /// Sends `request` as `command` (with an acknowledgement asked for) and returns the
    /// replies, decoded. Errors: [`GenlError::UnsupportedOperation`] before sending when the
    /// kernel lacks the command; the kernel's refusal as [`Error::Op`].
    pub fn execute<'r, S: Socket, Req: NlAttrs<'r>, Rep: NlAttrsOwned>(
        &self,
        conn: &Conn<S>,
        command: Command<F, Req, Rep>,
        request: &Req,
    ) -> Result<Vec<Rep>, Error> {
        self.check_op(command, false)?;
        let req = self.request(command, request, HeaderFlags::ACKNOWLEDGE);
        conn.request(&req)?
            .decoded::<GenlMessage<Rep>>()
            .map(|m| m.map(|m| m.body))
            .collect()
    }

    /// [`execute`](GenlHandle::execute) for a command with exactly one reply (a `GET` of one
    /// object); no reply, or more than one, is [`GenlError::ReplyCount`].
    pub fn get<'r, S: Socket, Req: NlAttrs<'r>, Rep: NlAttrsOwned>(
        &self,
        conn: &Conn<S>,
        command: Command<F, Req, Rep>,
        request: &Req,
    ) -> Result<Rep, Error> {
        let mut replies = self.execute(conn, command, request)?;
        let count = replies.len();
        match replies.pop() {
            Some(one) if count == 1 => Ok(one),
            _ => Err(GenlError::ReplyCount {
                family: self.info.name.clone(),
                command: command.name,
                count,
            }
            .into()),
        }
    }

    /// Sends `request` as a dump of `command` and streams the decoded replies.
    pub fn dump<'c, 'r, S: Socket, Req: NlAttrs<'r>, Rep: NlAttrsOwned>(
        &self,
        conn: &'c Conn<S>,
        command: Command<F, Req, Rep>,
        request: &Req,
    ) -> Result<GenlDump<'c, S, Rep>, Error> {
        self.check_op(command, true)?;
        let req = self.request(command, request, HeaderFlags::DUMP);
        Ok(GenlDump {
            inner: conn.request(&req)?.decoded(),
        })
    }

    /// The number of the multicast group `name`, or [`GenlError::UnknownGroup`].
    pub fn group(&self, name: &str) -> Result<u32, GenlError> {
        self.info
            .group(name)
            .ok_or_else(|| GenlError::UnknownGroup {
                family: self.info.name.clone(),
                group: name.to_owned(),
            })
    }

    /// Joins the multicast group called `name` and returns its number.
    pub fn join(&self, conn: &Conn<NetlinkSocket>, name: &str) -> Result<u32, Error> {
        let id = self.group(name)?;
        conn.join_group(id)?;
        Ok(id)
    }

    /// Decodes a notification of this family as event type `E`; `None` for a message of
    /// another family (or a command `E` does not know).
    pub fn decode_event<E: GenlEvent>(&self, msg: &MessageRef<'_>) -> Result<Option<E>, Error> {
        if msg.header.kind != HeaderType(self.info.id) {
            return Ok(None);
        }
        let cmd = msg.data.first().copied().unwrap_or(0);
        Ok(E::decode_event(cmd, msg)?)
    }
}

impl<F: GenlFamily> GenlHandle<F> {
    /// Receives the next batch of messages (see [`Conn::receive`]) and returns the events of
    /// this family among them, decoded as `E`; others are skipped.
    pub fn receive_events<S: Socket, E: GenlEvent>(&self, conn: &Conn<S>) -> Result<Vec<E>, Error> {
        let mut out = Vec::new();
        for m in conn.receive()? {
            if let Some(e) = self.decode_event::<E>(&m.as_message_ref())? {
                out.push(e);
            }
        }
        Ok(out)
    }
}

/// Decodes a reply's `genlmsghdr` and attributes; `None` for an acknowledgement.
pub fn decode_reply<T: NlAttrsOwned>(msg: &MessageRef<'_>) -> Result<Option<T>, DecodeError> {
    if msg.header.kind == HeaderType::ERROR || msg.header.kind == HeaderType::DONE {
        return Ok(None);
    }
    GenlMessage::<T>::from_message(msg).map(|m| Some(m.body))
}

/// The notifications of a family, decoded by command (`*_NTF` messages).
pub trait GenlEvent: Sized {
    /// Decodes the message with command `cmd`; `None` for a command without a variant.
    fn decode_event(cmd: u8, msg: &MessageRef<'_>) -> Result<Option<Self>, DecodeError>;
}

/// A request of a generic netlink family as a typed request ([`NlRequest`], for
/// [`Conn::request`]): the family id and flags, the `genlmsghdr`, and a borrowed body. Made
/// by [`GenlHandle::request`].
#[derive(Debug, Clone, Copy)]
pub struct GenlRequest<'r, Req> {
    /// The family's id.
    pub kind: HeaderType,
    /// Flags besides `REQUEST`.
    pub flags: HeaderFlags,
    /// The command and version.
    pub header: GenlHeader,
    /// The attributes.
    pub body: &'r Req,
}

impl<'a, Req: NlAttrs<'a>> NlRequest for GenlRequest<'_, Req> {
    fn header(&self) -> Header {
        Header {
            kind: self.kind,
            flags: self.flags | HeaderFlags::REQUEST,
            ..Header::default()
        }
    }

    fn encode_payload(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = buf.len();
        self.header.write_to(buf);
        self.body
            .encode(buf)
            .map(drop)
            .inspect_err(|_| buf.truncate(start))
    }

    fn policy(&self) -> Option<(&'static Policy, usize)> {
        Some((
            <GenlMessage<Req> as NlAttrs<'a>>::POLICY,
            <GenlMessage<Req> as NlAttrs<'a>>::HEADER_LEN,
        ))
    }
}

/// The replies of a dump of family commands, decoded one by one (see [`GenlHandle::dump`]).
pub struct GenlDump<'c, S: Socket, Rep> {
    inner: Decoded<'c, GenlMessage<Rep>, S>,
}

impl<S: Socket, Rep> fmt::Debug for GenlDump<'_, S, Rep> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GenlDump").field(&self.inner).finish()
    }
}

impl<S: Socket, Rep: NlAttrsOwned> Iterator for GenlDump<'_, S, Rep> {
    type Item = Result<Rep, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|r| r.map(|m| m.body))
    }
}
