//! Network namespaces: run code (such as creating a socket) inside another network namespace
//! without moving the caller.
//!
//! `setns(2)` changes the namespace of the calling *thread* only. [`NetNs::run`] therefore
//! starts a short-lived helper thread, moves it into the namespace, runs the closure there and
//! joins it: the caller's thread never changes namespace. A socket keeps the namespace it was
//! created in for its whole life, which is how [`Config::netns`](crate::Config::netns) works.
//!
//! ```no_run
//! use netlink::{netns::NetNs, Config, Conn, Family};
//!
//! // A socket in the namespace that `ip netns add blue` created.
//! let conn = Conn::dial(Family::ROUTE, Config {
//!     netns: Some(NetNs::named("blue")),
//!     ..Config::default()
//! })?;
//! # Ok::<(), netlink::Error>(())
//! ```

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::socket::{enter_netns, os_error, unshare_netns};

/// A network namespace: a path to a namespace file or an open descriptor of one.
#[derive(Debug, Clone)]
pub enum NetNs {
    /// A namespace file such as `/run/netns/NAME` (made by `ip netns add NAME`) or
    /// `/proc/PID/ns/net`, opened when it is used.
    Path(PathBuf),
    /// An open descriptor of a namespace file.
    Fd(Arc<OwnedFd>),
}

impl NetNs {
    /// The namespace `ip netns add name` created: `/run/netns/<name>`.
    pub fn named(name: &str) -> NetNs {
        NetNs::Path(Path::new("/run/netns").join(name))
    }

    /// The namespace behind a namespace file.
    pub fn path(path: impl Into<PathBuf>) -> NetNs {
        NetNs::Path(path.into())
    }

    /// The namespace behind an open descriptor of a namespace file.
    pub fn from_fd(fd: OwnedFd) -> NetNs {
        NetNs::Fd(Arc::new(fd))
    }

    /// The calling thread's current namespace, held open.
    pub fn current() -> Result<NetNs, Error> {
        open("/proc/thread-self/ns/net").map(NetNs::from_fd)
    }

    /// A new, empty network namespace (only a down loopback device), held open by the returned
    /// value and destroyed when the last descriptor of it (and the last socket in it) is gone.
    /// Needs `CAP_SYS_ADMIN`.
    pub fn create() -> Result<NetNs, Error> {
        on_thread(|| {
            unshare_netns()?;
            open("/proc/thread-self/ns/net").map(NetNs::from_fd)
        })?
    }

    /// Runs `f` on a helper thread that has entered this namespace, and returns its result.
    /// The calling thread's namespace is untouched.
    ///
    /// A namespace that cannot be opened or entered is [`Error::NetNs`], naming it:
    ///
    /// ```
    /// use netlink::netns::NetNs;
    ///
    /// let err = NetNs::named("no-such-namespace").run(|| ()).unwrap_err();
    /// assert!(err.is_not_found());
    /// assert_eq!(
    ///     err.to_string(),
    ///     "netlink netns /run/netns/no-such-namespace: No such file or directory (os error 2)"
    /// );
    /// ```
    pub fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        let fd = self.open().map_err(|e| self.name_error(e))?;
        on_thread(move || {
            enter_netns(fd.as_fd()).map_err(|e| self.name_error(e))?;
            Ok(f())
        })?
    }

    /// What to call the namespace in an error: its path, or its descriptor number.
    pub fn describe(&self) -> String {
        match self {
            NetNs::Path(p) => p.display().to_string(),
            NetNs::Fd(fd) => format!("descriptor {}", fd.as_raw_fd()),
        }
    }

    /// Turns a failed system call on this namespace into [`Error::NetNs`] naming it.
    fn name_error(&self, e: Error) -> Error {
        match e {
            Error::Op(o) => Error::NetNs {
                namespace: self.describe(),
                errno: o.errno,
            },
            other => other,
        }
    }

    fn open(&self) -> Result<OwnedFd, Error> {
        match self {
            NetNs::Path(p) => open(p),
            NetNs::Fd(fd) => fd
                .as_fd()
                .try_clone_to_owned()
                .map_err(|e| os_error("netns", e.raw_os_error().unwrap_or(libc::EBADF))),
        }
    }

    /// The descriptor of this namespace when it is held open.
    pub fn as_fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            NetNs::Fd(fd) => Some(fd.as_fd()),
            NetNs::Path(_) => None,
        }
    }
}

fn open(path: impl AsRef<Path>) -> Result<OwnedFd, Error> {
    // `File::open` sets O_CLOEXEC.
    File::open(path)
        .map(OwnedFd::from)
        .map_err(|e| os_error("netns", e.raw_os_error().unwrap_or(libc::ENOENT)))
}

/// Runs `f` on a fresh scoped thread and returns its result.
fn on_thread<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("netlink-netns".into())
            .spawn_scoped(s, f)
            .map_err(|e| os_error("netns", e.raw_os_error().unwrap_or(libc::EAGAIN)))?
            .join()
            .map_err(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_namespace_is_not_found() {
        let err = NetNs::named("no-such-namespace-for-netlink-tests")
            .run(|| ())
            .unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert!(
            err.to_string()
                .contains("/run/netns/no-such-namespace-for-netlink-tests"),
            "the error names the namespace: {err}"
        );
        assert!(matches!(
            err,
            Error::NetNs {
                errno: libc::ENOENT,
                ..
            }
        ));
    }

    #[test]
    fn run_in_current_namespace_returns_value() {
        // Entering the namespace one is already in needs CAP_SYS_ADMIN too.
        let ns = NetNs::current().unwrap();
        match ns.run(|| 42) {
            Ok(v) => assert_eq!(v, 42),
            Err(e) => assert_eq!(e.errno(), Some(libc::EPERM), "{e}"),
        }
    }
}
