//! Generic netlink: the `struct genlmsghdr` family header and the messages of the `nlctrl`
//! family (`CTRL_CMD_*`, `CTRL_ATTR_*`), declared with the derives.
//!
//! Every generic netlink family is reached through `nlctrl` (message type
//! [`GENL_ID_CTRL`]): `CTRL_CMD_GETFAMILY` resolves a family name to its message type, its
//! operations and its multicast groups, and `CTRL_CMD_GETPOLICY` dumps the attribute policies
//! of its operations.
//!
//! ```
//! use netlink::genl::{CtrlMessage, GENL_ID_CTRL};
//! use netlink::{Header, HeaderFlags, HeaderType, MessageRef, NlAttrs};
//!
//! let mut buf = Vec::new();
//! let request = CtrlMessage::get_family("nlctrl");
//! let header = Header {
//!     kind: HeaderType(GENL_ID_CTRL),
//!     flags: HeaderFlags::REQUEST,
//!     sequence: 1,
//!     ..Header::default()
//! };
//! request.encode_message(header, &mut buf)?;
//!
//! let (msg, _) = MessageRef::parse(&buf)?;
//! let decoded = CtrlMessage::from_message(&msg)?;
//! assert_eq!(decoded.family_name.as_deref(), Some("nlctrl"));
//! # Ok::<(), netlink::Error>(())
//! ```

use crate::{
    Error, HeaderFlags, HeaderType, Indexed, Message, NlAttrs, NlEnum, NlStruct, UnknownAttrs,
};

/// `GENL_ID_CTRL`: the message type of the `nlctrl` family.
pub const GENL_ID_CTRL: u16 = 0x10;
/// `GENL_NAMSIZ`: room for a family or group name, its NUL included.
pub const GENL_NAMSIZ: usize = 16;
/// The version of the `nlctrl` protocol this module speaks.
pub const CTRL_VERSION: u8 = 2;

/// `struct genlmsghdr`: the family header of every generic netlink message.
#[derive(NlStruct, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GenlHeader {
    /// The command (`CTRL_CMD_*` for `nlctrl`).
    pub cmd: u8,
    /// The family's protocol version.
    pub version: u8,
    /// Reserved; zero.
    pub reserved: u16,
}

/// `CTRL_CMD_*`: the commands of `nlctrl`.
#[derive(NlEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CtrlCommand {
    /// `CTRL_CMD_UNSPEC`.
    Unspec = 0,
    /// `CTRL_CMD_NEWFAMILY`: a family (a reply, or a notification of a new family).
    NewFamily = 1,
    /// `CTRL_CMD_DELFAMILY`: a family went away (notification).
    DelFamily = 2,
    /// `CTRL_CMD_GETFAMILY`: get one family by name or id, or dump them all.
    GetFamily = 3,
    /// `CTRL_CMD_NEWOPS`.
    NewOps = 4,
    /// `CTRL_CMD_DELOPS`.
    DelOps = 5,
    /// `CTRL_CMD_GETOPS`.
    GetOps = 6,
    /// `CTRL_CMD_NEWMCAST_GRP`: a multicast group appeared (notification).
    NewMcastGroup = 7,
    /// `CTRL_CMD_DELMCAST_GRP`: a multicast group went away (notification).
    DelMcastGroup = 8,
    /// `CTRL_CMD_GETMCAST_GRP` (unused by the kernel).
    GetMcastGroup = 9,
    /// `CTRL_CMD_GETPOLICY`: dump the attribute policies of a family's operations.
    GetPolicy = 10,
    /// A command this module does not know.
    #[nla(other)]
    Other(u8),
}

/// `CTRL_ATTR_OP_*`: one operation of a family.
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct Op {
    /// `CTRL_ATTR_OP_ID`: the command number.
    #[nla(type = 1)]
    pub id: Option<u32>,
    /// `CTRL_ATTR_OP_FLAGS`: `GENL_ADMIN_PERM`, `GENL_CMD_CAP_DO`, `GENL_CMD_CAP_DUMP`, ...
    #[nla(type = 2)]
    pub flags: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `CTRL_ATTR_MCAST_GRP_*`: one multicast group of a family (the kernel sends the id first).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct McastGroup {
    /// `CTRL_ATTR_MCAST_GRP_ID`: the group number to join.
    #[nla(type = 2)]
    pub id: Option<u32>,
    /// `CTRL_ATTR_MCAST_GRP_NAME`.
    #[nla(type = 1, max_len = 15)]
    pub name: Option<String>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `CTRL_ATTR_POLICY_*`: the policies of one operation (indices into the policy table).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct OpPolicy {
    /// `CTRL_ATTR_POLICY_DO`: the policy of the operation's "do" form.
    #[nla(type = 1)]
    pub do_policy: Option<u32>,
    /// `CTRL_ATTR_POLICY_DUMP`: the policy of its "dump" form.
    #[nla(type = 2)]
    pub dump_policy: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// `NL_POLICY_TYPE_ATTR_*`: the policy of one attribute, as the kernel describes it.
///
/// Fields are declared in the order the kernel writes them (the type last).
#[derive(NlAttrs, Debug, Clone, PartialEq, Eq, Default)]
pub struct AttrPolicy {
    /// `NL_POLICY_TYPE_ATTR_POLICY_IDX`: the nested policy of a nest.
    #[nla(type = 8)]
    pub policy_index: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE`: the highest attribute of that nested policy.
    #[nla(type = 9)]
    pub policy_max_type: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_MASK`: valid bits of an unsigned integer.
    #[nla(type = 12)]
    pub mask: Option<u64>,
    /// `NL_POLICY_TYPE_ATTR_MIN_VALUE_U`.
    #[nla(type = 4)]
    pub min_value_u: Option<u64>,
    /// `NL_POLICY_TYPE_ATTR_MAX_VALUE_U`.
    #[nla(type = 5)]
    pub max_value_u: Option<u64>,
    /// `NL_POLICY_TYPE_ATTR_MIN_VALUE_S`.
    #[nla(type = 2)]
    pub min_value_s: Option<i64>,
    /// `NL_POLICY_TYPE_ATTR_MAX_VALUE_S`.
    #[nla(type = 3)]
    pub max_value_s: Option<i64>,
    /// `NL_POLICY_TYPE_ATTR_BITFIELD32_MASK`.
    #[nla(type = 10)]
    pub bitfield32_mask: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_MIN_LENGTH`.
    #[nla(type = 6)]
    pub min_length: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_MAX_LENGTH`.
    #[nla(type = 7)]
    pub max_length: Option<u32>,
    /// `NL_POLICY_TYPE_ATTR_TYPE`: the attribute's `NL_ATTR_TYPE_*`.
    #[nla(type = 1)]
    pub kind: Option<u32>,
    /// Attributes of newer kernels (and `NL_POLICY_TYPE_ATTR_PAD`).
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

/// A message of the `nlctrl` family: a request, a reply, a dump part or a notification.
///
/// A `CTRL_CMD_GETFAMILY` reply fills the family fields, `ops` and `mcast_groups`; a
/// `CTRL_CMD_GETPOLICY` dump sends one message per operation policy (`op_policy`, keyed by
/// command) and per policy (`policy`: policy index -> attribute type -> [`AttrPolicy`]).
/// Fields are declared in the order the kernel writes them, and `ops` and `mcast_groups`
/// without `NLA_F_NESTED` as the kernel writes them, so that re-encoding a reply gives its
/// bytes back.
#[derive(NlAttrs, Debug, Clone, PartialEq, Default)]
pub struct CtrlMessage {
    /// The generic netlink header: command and version.
    #[nla(header)]
    pub header: GenlHeader,
    /// `CTRL_ATTR_FAMILY_NAME`.
    #[nla(type = 2, max_len = 15)]
    pub family_name: Option<String>,
    /// `CTRL_ATTR_FAMILY_ID`: the family's message type.
    #[nla(type = 1)]
    pub family_id: Option<u16>,
    /// `CTRL_ATTR_VERSION`: the family's protocol version.
    #[nla(type = 3)]
    pub version: Option<u32>,
    /// `CTRL_ATTR_HDRSIZE`: size of the family's own header after `genlmsghdr`.
    #[nla(type = 4)]
    pub header_size: Option<u32>,
    /// `CTRL_ATTR_MAXATTR`: the family's highest attribute type.
    #[nla(type = 5)]
    pub max_attr: Option<u32>,
    /// `CTRL_ATTR_OPS`: the family's operations, numbered from 1.
    #[nla(type = 6, nested, no_nested_flag)]
    pub ops: Option<Indexed<Op>>,
    /// `CTRL_ATTR_MCAST_GROUPS`: the family's multicast groups, numbered from 1.
    #[nla(type = 7, nested, no_nested_flag)]
    pub mcast_groups: Option<Indexed<McastGroup>>,
    /// `CTRL_ATTR_POLICY`: policy index -> attribute type -> policy of that attribute.
    #[nla(type = 8, nested)]
    pub policy: Option<Indexed<Indexed<AttrPolicy>>>,
    /// `CTRL_ATTR_OP_POLICY`: command -> its policies.
    #[nla(type = 9, nested)]
    pub op_policy: Option<Indexed<OpPolicy>>,
    /// `CTRL_ATTR_OP`: the one command a policy dump asks about.
    #[nla(type = 10)]
    pub op: Option<u32>,
    /// Attributes of newer kernels.
    #[nla(unknown)]
    pub rest: UnknownAttrs,
}

impl CtrlMessage {
    /// A message with command `cmd` and the `nlctrl` version.
    pub fn new(cmd: CtrlCommand) -> CtrlMessage {
        CtrlMessage {
            header: GenlHeader {
                cmd: cmd.to_repr(),
                version: CTRL_VERSION,
                reserved: 0,
            },
            ..CtrlMessage::default()
        }
    }

    /// `CTRL_CMD_GETFAMILY` for the family called `name` (send with `REQUEST`; with `DUMP`
    /// and no name, every family).
    pub fn get_family(name: &str) -> CtrlMessage {
        CtrlMessage {
            family_name: Some(name.to_owned()),
            ..CtrlMessage::new(CtrlCommand::GetFamily)
        }
    }

    /// `CTRL_CMD_GETPOLICY` for the family called `name` (send with `REQUEST | DUMP`).
    pub fn get_policy(name: &str) -> CtrlMessage {
        CtrlMessage {
            family_name: Some(name.to_owned()),
            ..CtrlMessage::new(CtrlCommand::GetPolicy)
        }
    }

    /// The command of the header.
    pub fn command(&self) -> CtrlCommand {
        CtrlCommand::from_repr(self.header.cmd)
    }

    /// The id of the multicast group called `name`, if the family has one.
    pub fn mcast_group(&self, name: &str) -> Option<u32> {
        self.mcast_groups
            .as_ref()?
            .values()
            .find(|g| g.name.as_deref() == Some(name))
            .and_then(|g| g.id)
    }
}

impl CtrlMessage {
    /// This message as a request to `nlctrl` with `flags` (`REQUEST` is added).
    pub fn to_request(&self, flags: HeaderFlags) -> Result<Message, Error> {
        Ok(Message::new(
            HeaderType(GENL_ID_CTRL),
            HeaderFlags::REQUEST | flags,
            self.to_bytes()?,
        ))
    }
}
