//! Policy conformance: a derived type checked against the attribute policy the running kernel
//! reports for a family's command (`CTRL_CMD_GETPOLICY`).
//!
//! The kernel publishes the policy of what it *accepts*: the attributes of each command's
//! request, their `NL_ATTR_TYPE_*`, lengths, ranges and nested policies. [`KernelPolicy::check`]
//! walks a type's derived [`Policy`] alongside and reports every [`Disagreement`]:
//!
//! - a declared attribute the kernel does not accept (requests only: a reply type declares
//!   attributes the kernel sends but never reads);
//! - an integer whose width or signedness differs from the kernel's;
//! - a string or binary whose `max_len` is longer than the kernel's maximum (or missing, in a
//!   request, where the kernel has one);
//! - a `nested` field whose kernel type is not a nest (and nests are checked recursively
//!   against their nested policies);
//! - a `flag` declared as a value, or a value declared as a flag; any other kind mismatch;
//! - in a request, an integer whose `min`/`max` (or its type's whole range, without them)
//!   let through values outside the kernel's range.
//!
//! Attributes the kernel accepts and the type does not declare are listed apart
//! ([`Report::kernel_only`]): information, not errors.
//!
//! ```no_run
//! use netlink::genl::ethtool::{self, Ethtool, RingsSet};
//! use netlink::genl::policy::{KernelPolicy, Direction};
//! use netlink::{Config, Conn, Family, NlAttrs};
//!
//! let conn = Conn::dial(Family::GENERIC, Config::default())?;
//! let kernel = KernelPolicy::dump(&conn, "ethtool")?;
//! let report = kernel.check(<RingsSet as NlAttrs>::POLICY, ethtool::RINGS_SET.cmd(), Direction::Request);
//! assert!(report.disagreements.is_empty(), "{report}");
//! # Ok::<(), netlink::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, GenlError};
use crate::genl::nlctrl::{AttrPolicy, CtrlMessage, GENL_ID_CTRL};
use crate::message::HeaderType;
use crate::nlattrs::{FieldKind, FieldPolicy, NlAttrs, Policy, ValueKind};
use crate::typed::Request;
use crate::{Conn, Socket};

/// `NL_ATTR_TYPE_*`: the kernel's attribute types in a policy dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NlAttrType(pub u32);

impl NlAttrType {
    /// `NL_ATTR_TYPE_INVALID`.
    pub const INVALID: NlAttrType = NlAttrType(0);
    /// `NL_ATTR_TYPE_FLAG`.
    pub const FLAG: NlAttrType = NlAttrType(1);
    /// `NL_ATTR_TYPE_U8`.
    pub const U8: NlAttrType = NlAttrType(2);
    /// `NL_ATTR_TYPE_U16`.
    pub const U16: NlAttrType = NlAttrType(3);
    /// `NL_ATTR_TYPE_U32`.
    pub const U32: NlAttrType = NlAttrType(4);
    /// `NL_ATTR_TYPE_U64`.
    pub const U64: NlAttrType = NlAttrType(5);
    /// `NL_ATTR_TYPE_S8`.
    pub const S8: NlAttrType = NlAttrType(6);
    /// `NL_ATTR_TYPE_S16`.
    pub const S16: NlAttrType = NlAttrType(7);
    /// `NL_ATTR_TYPE_S32`.
    pub const S32: NlAttrType = NlAttrType(8);
    /// `NL_ATTR_TYPE_S64`.
    pub const S64: NlAttrType = NlAttrType(9);
    /// `NL_ATTR_TYPE_BINARY`.
    pub const BINARY: NlAttrType = NlAttrType(10);
    /// `NL_ATTR_TYPE_STRING`.
    pub const STRING: NlAttrType = NlAttrType(11);
    /// `NL_ATTR_TYPE_NUL_STRING`.
    pub const NUL_STRING: NlAttrType = NlAttrType(12);
    /// `NL_ATTR_TYPE_NESTED`.
    pub const NESTED: NlAttrType = NlAttrType(13);
    /// `NL_ATTR_TYPE_NESTED_ARRAY`.
    pub const NESTED_ARRAY: NlAttrType = NlAttrType(14);
    /// `NL_ATTR_TYPE_BITFIELD32`.
    pub const BITFIELD32: NlAttrType = NlAttrType(15);
    /// `NL_ATTR_TYPE_SINT`.
    pub const SINT: NlAttrType = NlAttrType(16);
    /// `NL_ATTR_TYPE_UINT`.
    pub const UINT: NlAttrType = NlAttrType(17);

    /// The name without the `NL_ATTR_TYPE_` prefix (`U32`, `NUL_STRING`, ...), or `None`.
    pub fn name(self) -> Option<&'static str> {
        const NAMES: [&str; 18] = [
            "INVALID",
            "FLAG",
            "U8",
            "U16",
            "U32",
            "U64",
            "S8",
            "S16",
            "S32",
            "S64",
            "BINARY",
            "STRING",
            "NUL_STRING",
            "NESTED",
            "NESTED_ARRAY",
            "BITFIELD32",
            "SINT",
            "UINT",
        ];
        NAMES.get(usize::try_from(self.0).ok()?).copied()
    }

    /// The width and signedness of a fixed-size integer type.
    pub fn int(self) -> Option<(usize, bool)> {
        Some(match self {
            NlAttrType::U8 => (1, false),
            NlAttrType::U16 => (2, false),
            NlAttrType::U32 => (4, false),
            NlAttrType::U64 => (8, false),
            NlAttrType::S8 => (1, true),
            NlAttrType::S16 => (2, true),
            NlAttrType::S32 => (4, true),
            NlAttrType::S64 => (8, true),
            _ => return None,
        })
    }

    /// Whether the type is a nest (`NESTED` or `NESTED_ARRAY`).
    pub fn is_nest(self) -> bool {
        self == NlAttrType::NESTED || self == NlAttrType::NESTED_ARRAY
    }
}

impl fmt::Display for NlAttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "type {}", self.0),
        }
    }
}

/// The policies of one operation: indices into [`KernelPolicy::tables`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpPolicies {
    /// The policy of the `do` form.
    pub do_policy: Option<u32>,
    /// The policy of the `dump` form.
    pub dump_policy: Option<u32>,
}

/// Everything a `CTRL_CMD_GETPOLICY` dump of one family says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KernelPolicy {
    /// The family's name.
    pub family: String,
    /// The family's id.
    pub family_id: u16,
    /// Command -> its policies, in the order the kernel sent them.
    pub ops: Vec<(u32, OpPolicies)>,
    /// Policy index -> attribute type -> what the kernel accepts.
    pub tables: BTreeMap<u32, BTreeMap<u16, AttrPolicy>>,
}

/// Whether a type is checked as a request (every declared attribute must be accepted) or as
/// a reply sharing the request's attribute set (attributes the kernel only sends are fine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The type is what user space sends.
    Request,
    /// The type is what the kernel sends, in the attribute set of the command's request.
    Reply,
}

/// One way a declared type and the kernel's policy disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disagreement {
    /// A declared attribute the kernel's policy does not have.
    NotAccepted {
        /// The field's path (`Type.field.inner`).
        path: String,
        /// The attribute type.
        attr_type: u16,
    },
    /// An integer of another width or signedness.
    IntMismatch {
        /// The field's path.
        path: String,
        /// The attribute type.
        attr_type: u16,
        /// What the type declares (`u16`, `i32`, `uint`, ...).
        declared: String,
        /// What the kernel expects.
        kernel: NlAttrType,
    },
    /// A string or binary the type lets be longer than the kernel accepts.
    MaxLenExceeds {
        /// The field's path.
        path: String,
        /// The attribute type.
        attr_type: u16,
        /// The declared `max_len` (`None`: unlimited).
        declared: Option<usize>,
        /// The kernel's maximum length.
        kernel: u32,
    },
    /// A `nested` field the kernel does not take as a nest.
    NotNested {
        /// The field's path.
        path: String,
        /// The attribute type.
        attr_type: u16,
        /// What the kernel expects.
        kernel: NlAttrType,
    },
    /// An integer of a request whose declared `min`/`max` let through values outside the
    /// kernel's range (the kernel would refuse them).
    RangeWider {
        /// The field's path.
        path: String,
        /// The attribute type.
        attr_type: u16,
        /// The range the type accepts.
        declared: (i128, i128),
        /// The kernel's range.
        kernel: (i128, i128),
    },
    /// A kernel flag declared as a value.
    FlagAsValue {
        /// The field's path.
        path: String,
        /// The attribute type.
        attr_type: u16,
    },
    /// Any other difference of kind (a value declared as a flag, a string for an integer,
    /// a value for a nest...).
    KindMismatch {
        /// The field's path.
        path: String,
        /// The attribute type.
        attr_type: u16,
        /// What the type declares.
        declared: String,
        /// What the kernel expects.
        kernel: NlAttrType,
    },
}

impl Disagreement {
    /// The field's path and attribute type, which every disagreement names.
    fn place(&self) -> (&str, u16) {
        match self {
            Disagreement::NotAccepted { path, attr_type }
            | Disagreement::IntMismatch {
                path, attr_type, ..
            }
            | Disagreement::MaxLenExceeds {
                path, attr_type, ..
            }
            | Disagreement::NotNested {
                path, attr_type, ..
            }
            | Disagreement::RangeWider {
                path, attr_type, ..
            }
            | Disagreement::FlagAsValue { path, attr_type }
            | Disagreement::KindMismatch {
                path, attr_type, ..
            } => (path, *attr_type),
        }
    }
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, attr_type) = self.place();
        write!(f, "{path} (attribute {attr_type}): ")?;
        match self {
            Disagreement::NotAccepted { .. } => f.write_str("not accepted by the kernel"),
            Disagreement::IntMismatch {
                declared, kernel, ..
            }
            | Disagreement::KindMismatch {
                declared, kernel, ..
            } => write!(f, "declared {declared}, kernel expects {kernel}"),
            Disagreement::MaxLenExceeds {
                declared, kernel, ..
            } => match declared {
                Some(d) => write!(f, "max_len {d} above the kernel's {kernel}"),
                None => write!(f, "no max_len, the kernel's is {kernel}"),
            },
            Disagreement::NotNested { kernel, .. } => {
                write!(f, "declared nested, kernel expects {kernel}")
            }
            Disagreement::RangeWider {
                declared, kernel, ..
            } => write!(
                f,
                "accepts {}..={}, the kernel only {}..={}",
                declared.0, declared.1, kernel.0, kernel.1
            ),
            Disagreement::FlagAsValue { .. } => {
                f.write_str("declared a value, kernel expects FLAG")
            }
        }
    }
}

/// An attribute the kernel accepts that the type does not declare (information).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelOnly {
    /// The path of the attribute set (`Type.field`).
    pub path: String,
    /// The attribute type.
    pub attr_type: u16,
    /// Its kernel type.
    pub kernel: NlAttrType,
}

/// The result of a check: disagreements (errors) and what the kernel has beyond the type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Every disagreement found.
    pub disagreements: Vec<Disagreement>,
    /// Attributes the kernel accepts and the type does not declare.
    pub kernel_only: Vec<KernelOnly>,
    /// Declared attributes the kernel's policy does not describe, in a reply type
    /// (information: the kernel sends them without reading them).
    pub reply_only: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} disagreement(s)", self.disagreements.len())?;
        for d in &self.disagreements {
            writeln!(f, "  {d}")?;
        }
        for k in &self.kernel_only {
            writeln!(
                f,
                "  info: {} lacks attribute {} ({})",
                k.path, k.attr_type, k.kernel
            )?;
        }
        Ok(())
    }
}

impl KernelPolicy {
    /// Dumps the policies of every operation of `family` (`CTRL_CMD_GETPOLICY`). A kernel
    /// without the family gives [`GenlError::UnknownFamily`].
    pub fn dump<S: Socket>(conn: &Conn<S>, family: &str) -> Result<KernelPolicy, Error> {
        Self::dump_request(conn, family, None)
    }

    /// Dumps the policies of `family`'s command `cmd` alone.
    pub fn dump_op<S: Socket>(
        conn: &Conn<S>,
        family: &str,
        cmd: u8,
    ) -> Result<KernelPolicy, Error> {
        Self::dump_request(conn, family, Some(cmd))
    }

    fn dump_request<S: Socket>(
        conn: &Conn<S>,
        family: &str,
        cmd: Option<u8>,
    ) -> Result<KernelPolicy, Error> {
        let mut body = CtrlMessage::get_policy(family);
        body.op = cmd.map(u32::from);
        let request = Request::dump(HeaderType(GENL_ID_CTRL), body);
        let mut out = KernelPolicy {
            family: family.to_owned(),
            ..KernelPolicy::default()
        };
        let not_found = |e: Error| {
            if e.op_error().is_some_and(|o| o.errno == libc::ENOENT) {
                Error::from(GenlError::UnknownFamily {
                    family: family.to_owned(),
                })
            } else {
                e
            }
        };
        for msg in conn
            .request(&request)
            .map_err(not_found)?
            .decoded::<CtrlMessage>()
        {
            out.add(&msg.map_err(not_found)?);
        }
        Ok(out)
    }

    /// Adds what one reply of a policy dump says.
    pub fn add(&mut self, msg: &CtrlMessage) {
        if let Some(id) = msg.family_id {
            self.family_id = id;
        }
        for (cmd, p) in msg.op_policy.iter().flat_map(|o| &o.entries) {
            self.ops.push((
                u32::from(*cmd),
                OpPolicies {
                    do_policy: p.do_policy,
                    dump_policy: p.dump_policy,
                },
            ));
        }
        for (idx, attrs) in msg.policy.iter().flat_map(|p| &p.entries) {
            let table = self.tables.entry(u32::from(*idx)).or_default();
            for (attr, p) in &attrs.entries {
                table.insert(*attr, p.clone());
            }
        }
    }

    /// The policies of command `cmd`, if the kernel has them.
    pub fn op(&self, cmd: u8) -> Option<OpPolicies> {
        self.ops
            .iter()
            .find(|(c, _)| *c == u32::from(cmd))
            .map(|(_, p)| *p)
    }

    /// Checks `policy` (a derived type's, `<T as NlAttrs>::POLICY`) against the `do` policy
    /// of command `cmd` (its `dump` policy when it has no `do` form). A command without a
    /// policy makes every declared attribute a disagreement in a request.
    pub fn check(&self, policy: &Policy, cmd: u8, direction: Direction) -> Report {
        let index = self.op(cmd).and_then(|p| p.do_policy.or(p.dump_policy));
        self.check_table(policy, index, direction)
    }

    /// Checks `policy` against the `dump` policy of command `cmd` (a dump request).
    pub fn check_dump(&self, policy: &Policy, cmd: u8, direction: Direction) -> Report {
        let index = self.op(cmd).and_then(|p| p.dump_policy);
        self.check_table(policy, index, direction)
    }

    /// Checks `policy` against the table `index` (`None`: an empty policy).
    pub fn check_table(&self, policy: &Policy, index: Option<u32>, direction: Direction) -> Report {
        let mut report = Report::default();
        let mut seen = Vec::new();
        self.walk(
            policy,
            index,
            policy.name,
            direction,
            &mut report,
            &mut seen,
        );
        report
    }

    /// Checks the request type `T` of a command.
    pub fn check_request<'a, T: NlAttrs<'a>>(&self, cmd: u8) -> Report {
        self.check(T::POLICY, cmd, Direction::Request)
    }

    /// Checks the reply type `T` against the attribute set of command `cmd`'s request.
    pub fn check_reply<'a, T: NlAttrs<'a>>(&self, cmd: u8) -> Report {
        self.check(T::POLICY, cmd, Direction::Reply)
    }

    fn walk(
        &self,
        policy: &Policy,
        index: Option<u32>,
        path: &str,
        direction: Direction,
        report: &mut Report,
        seen: &mut Vec<(usize, Option<u32>)>,
    ) {
        // Recursive types over recursive policies: each pair once.
        let key = (core::ptr::from_ref(policy) as usize, index);
        if seen.contains(&key) || seen.len() > 64 {
            return;
        }
        seen.push(key);
        let empty = BTreeMap::new();
        let table = index.and_then(|i| self.tables.get(&i)).unwrap_or(&empty);
        if let Some(elements) = policy.elements {
            // An indexed array: the kernel's NESTED_ARRAY table describes each element.
            self.walk(
                elements(),
                index,
                &format!("{path}[]"),
                direction,
                report,
                seen,
            );
            seen.pop();
            return;
        }
        for f in policy.fields {
            let short = f.name.rsplit('.').next().unwrap_or(f.name);
            let fpath = format!("{path}.{short}");
            match table.get(&f.attr_type) {
                None => match direction {
                    Direction::Request => report.disagreements.push(Disagreement::NotAccepted {
                        path: fpath,
                        attr_type: f.attr_type,
                    }),
                    Direction::Reply => report.reply_only.push(fpath),
                },
                Some(k) => self.field(f, k, fpath, direction, report, seen),
            }
        }
        for (attr, k) in table {
            if policy.field(*attr).is_none() {
                report.kernel_only.push(KernelOnly {
                    path: path.to_owned(),
                    attr_type: *attr,
                    kernel: NlAttrType(k.kind.unwrap_or(0)),
                });
            }
        }
        seen.pop();
    }

    fn field(
        &self,
        f: &FieldPolicy,
        k: &AttrPolicy,
        path: String,
        direction: Direction,
        report: &mut Report,
        seen: &mut Vec<(usize, Option<u32>)>,
    ) {
        let kernel = NlAttrType(k.kind.unwrap_or(0));
        let attr_type = f.attr_type;
        let kind_mismatch = |declared: &str| Disagreement::KindMismatch {
            path: path.clone(),
            attr_type,
            declared: declared.to_owned(),
            kernel,
        };
        if matches!(f.kind, FieldKind::Flag) {
            if kernel != NlAttrType::FLAG {
                report.disagreements.push(kind_mismatch("flag"));
            }
            return;
        }
        let FieldKind::Value(v) = f.kind else {
            // A nest (or another kind of nest: a sub-message), checked inside when the kernel
            // names its policy.
            if !kernel.is_nest() {
                report.disagreements.push(Disagreement::NotNested {
                    path,
                    attr_type,
                    kernel,
                });
            } else if let (FieldKind::Nested(p), Some(_)) = (f.kind, k.policy_index) {
                self.walk(p(), k.policy_index, &path, direction, report, seen);
            }
            return;
        };
        if kernel == NlAttrType::FLAG {
            report
                .disagreements
                .push(Disagreement::FlagAsValue { path, attr_type });
            return;
        }
        if let Some(d) = value_mismatch(v, kernel, k) {
            let d = match d {
                Mismatch::Int(declared) => Disagreement::IntMismatch {
                    path,
                    attr_type,
                    declared,
                    kernel,
                },
                Mismatch::Kind(declared) => kind_mismatch(&declared),
            };
            report.disagreements.push(d);
            return;
        }
        if let (ValueKind::Int { size, signed }, Direction::Request) = (v, direction) {
            if let Some(d) = range_wider(f, size, signed, k) {
                report.disagreements.push(Disagreement::RangeWider {
                    path,
                    attr_type,
                    declared: d.0,
                    kernel: d.1,
                });
                return;
            }
        }
        let sized = matches!(
            v,
            ValueKind::String | ValueKind::CString | ValueKind::Binary
        );
        if let (true, Some(max)) = (sized, k.max_length) {
            let too_long = match f.max_len {
                Some(d) => u32::try_from(d).map_or(true, |d| d > max),
                None => direction == Direction::Request,
            };
            if too_long {
                report.disagreements.push(Disagreement::MaxLenExceeds {
                    path,
                    attr_type,
                    declared: f.max_len,
                    kernel: max,
                });
            }
        }
    }
}

/// The declared and the kernel's ranges of an integer, when the declared one is wider.
fn range_wider(
    f: &FieldPolicy,
    size: usize,
    signed: bool,
    k: &AttrPolicy,
) -> Option<((i128, i128), (i128, i128))> {
    let bits = u32::try_from(size.saturating_mul(8)).ok()?.clamp(8, 64);
    let (lo, hi) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let declared = (f.min.unwrap_or(lo).max(lo), f.max.unwrap_or(hi).min(hi));
    let kernel = match (k.min_value_s, k.max_value_s, k.min_value_u, k.max_value_u) {
        (Some(a), Some(b), _, _) => (i128::from(a), i128::from(b)),
        (_, _, Some(a), Some(b)) => (i128::from(a), i128::from(b)),
        _ => return None,
    };
    (declared.0 < kernel.0 || declared.1 > kernel.1).then_some((declared, kernel))
}

enum Mismatch {
    Int(String),
    Kind(String),
}

fn declared_name(v: ValueKind) -> String {
    match v {
        ValueKind::Int { size, signed } => {
            format!(
                "{}{}",
                if signed { 'i' } else { 'u' },
                size.saturating_mul(8)
            )
        }
        ValueKind::VarInt { signed } => (if signed { "sint" } else { "uint" }).to_owned(),
        ValueKind::String => "string".to_owned(),
        ValueKind::CString => "C string".to_owned(),
        ValueKind::Binary => "binary".to_owned(),
        ValueKind::Fixed(n) => format!("{n} bytes"),
        ValueKind::IpAddr => "IP address".to_owned(),
        ValueKind::FamilyAddr => "address of the message's family".to_owned(),
        ValueKind::Struct { size } => format!("{size}-byte struct"),
        ValueKind::Checked { .. } | ValueKind::FamilyChecked { .. } => {
            "binary (own layout)".to_owned()
        }
    }
}

fn value_mismatch(v: ValueKind, kernel: NlAttrType, k: &AttrPolicy) -> Option<Mismatch> {
    let fits_binary = |n: usize| {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        k.min_length.is_none_or(|m| n >= m) && k.max_length.is_none_or(|m| n <= m)
    };
    let ok = match v {
        ValueKind::Int { size, signed } => {
            return match kernel.int() {
                Some(k) if k == (size, signed) => None,
                Some(_) => Some(Mismatch::Int(declared_name(v))),
                // NLA_UINT/NLA_SINT take 4 or 8 bytes: a fixed width is a disagreement too
                // (the kernel may send the other width).
                None if kernel == NlAttrType::UINT || kernel == NlAttrType::SINT => {
                    Some(Mismatch::Int(declared_name(v)))
                }
                None => Some(Mismatch::Kind(declared_name(v))),
            };
        }
        ValueKind::VarInt { signed } => {
            return match kernel {
                NlAttrType::UINT if !signed => None,
                NlAttrType::SINT if signed => None,
                _ if kernel.int().is_some()
                    || kernel == NlAttrType::UINT
                    || kernel == NlAttrType::SINT =>
                {
                    Some(Mismatch::Int(declared_name(v)))
                }
                _ => Some(Mismatch::Kind(declared_name(v))),
            };
        }
        ValueKind::String | ValueKind::CString => {
            kernel == NlAttrType::STRING || kernel == NlAttrType::NUL_STRING
        }
        ValueKind::Binary | ValueKind::Checked { .. } | ValueKind::FamilyChecked { .. } => {
            kernel == NlAttrType::BINARY
        }
        ValueKind::Fixed(n) => match kernel.int() {
            Some((size, _)) => size == n,
            None => kernel == NlAttrType::BINARY && fits_binary(n),
        },
        ValueKind::IpAddr | ValueKind::FamilyAddr => kernel == NlAttrType::BINARY,
        ValueKind::Struct { size } => {
            (kernel == NlAttrType::BITFIELD32 && size == 8)
                || (kernel == NlAttrType::BINARY
                    && k.min_length
                        .is_none_or(|m| u32::try_from(size).is_ok_and(|s| s >= m)))
        }
    };
    (!ok).then(|| Mismatch::Kind(declared_name(v)))
}

/// Writes the policies of a dump as iproute2's `genl ctrl policy` prints them: one line per
/// reply, `\tID: 0x15  op 1 policies: do=0 dump=0` for an operation and
/// `\tID: 0x15  policy[1]:attr[2]: type=NUL_STRING max len:127` for an attribute.
pub fn describe(msg: &CtrlMessage) -> String {
    use fmt::Write as _;
    let mut out = String::new();
    if let Some(id) = msg.family_id {
        let _ = write!(out, "\tID: {id:#x} ");
    }
    for (cmd, p) in msg.op_policy.iter().flat_map(|o| &o.entries) {
        let _ = write!(out, " op {cmd} policies:");
        if let Some(d) = p.do_policy {
            let _ = write!(out, " do={d}");
        }
        if let Some(d) = p.dump_policy {
            let _ = write!(out, " dump={d}");
        }
    }
    for (idx, attrs) in msg.policy.iter().flat_map(|p| &p.entries) {
        let _ = write!(out, " policy[{idx}]:");
        for (attr, p) in &attrs.entries {
            if let Some(kind) = p.kind {
                let name = NlAttrType(kind)
                    .name()
                    .filter(|n| *n != "INVALID")
                    .unwrap_or("unknown");
                let _ = write!(out, "attr[{attr}]: type={name}");
            }
            if let Some(i) = p.policy_index {
                let _ = write!(out, " policy:{i}");
            }
            if let Some(m) = p.policy_max_type {
                let _ = write!(out, " maxattr:{m}");
            }
            if let (Some(lo), Some(hi)) = (p.min_value_s, p.max_value_s) {
                let _ = write!(out, " range:[{lo},{hi}]");
            }
            if let (Some(lo), Some(hi)) = (p.min_value_u, p.max_value_u) {
                let _ = write!(out, " range:[{lo},{hi}]");
            }
            if let Some(m) = p.min_length {
                let _ = write!(out, " min len:{m}");
            }
            if let Some(m) = p.max_length {
                let _ = write!(out, " max len:{m}");
            }
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disagreements_print_place_then_difference() {
        let p = || "T.f".to_owned();
        let cases = [
            (
                Disagreement::NotAccepted {
                    path: p(),
                    attr_type: 1,
                },
                "T.f (attribute 1): not accepted by the kernel",
            ),
            (
                Disagreement::IntMismatch {
                    path: p(),
                    attr_type: 2,
                    declared: "u16".into(),
                    kernel: NlAttrType::U32,
                },
                "T.f (attribute 2): declared u16, kernel expects U32",
            ),
            (
                Disagreement::MaxLenExceeds {
                    path: p(),
                    attr_type: 3,
                    declared: Some(40),
                    kernel: 16,
                },
                "T.f (attribute 3): max_len 40 above the kernel's 16",
            ),
            (
                Disagreement::MaxLenExceeds {
                    path: p(),
                    attr_type: 3,
                    declared: None,
                    kernel: 16,
                },
                "T.f (attribute 3): no max_len, the kernel's is 16",
            ),
            (
                Disagreement::NotNested {
                    path: p(),
                    attr_type: 4,
                    kernel: NlAttrType::U8,
                },
                "T.f (attribute 4): declared nested, kernel expects U8",
            ),
            (
                Disagreement::RangeWider {
                    path: p(),
                    attr_type: 5,
                    declared: (0, 300),
                    kernel: (1, 255),
                },
                "T.f (attribute 5): accepts 0..=300, the kernel only 1..=255",
            ),
            (
                Disagreement::FlagAsValue {
                    path: p(),
                    attr_type: 6,
                },
                "T.f (attribute 6): declared a value, kernel expects FLAG",
            ),
            (
                Disagreement::KindMismatch {
                    path: p(),
                    attr_type: 7,
                    declared: "u32".into(),
                    kernel: NlAttrType::NUL_STRING,
                },
                "T.f (attribute 7): declared u32, kernel expects NUL_STRING",
            ),
        ];
        for (d, want) in cases {
            assert_eq!(d.to_string(), want);
        }
    }
}
