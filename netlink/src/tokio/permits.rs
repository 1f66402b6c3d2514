//! The bound on requests in flight: a counter of free places, taken and given back with one
//! atomic operation each, and the wakers of the tasks waiting for a place.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// Set in `free` once the connection is closed.
const CLOSED: usize = 1 << (usize::BITS - 1);

/// Places for requests in flight (see [`Options::max_in_flight`](super::Options::max_in_flight)).
pub(crate) struct Permits {
    /// The free places, with [`CLOSED`] set once closed.
    free: AtomicUsize,
    /// Whether `waiters` may hold wakers (so that a release looks at them only then).
    waiting: AtomicBool,
    waiters: Mutex<Vec<Waker>>,
}

/// The connection is closed: no place will ever be given.
#[derive(Debug)]
pub(crate) struct PermitsClosed;

impl Permits {
    pub(crate) fn new(n: usize) -> Permits {
        Permits {
            free: AtomicUsize::new(n.clamp(1, CLOSED - 1)),
            waiting: AtomicBool::new(false),
            waiters: Mutex::new(Vec::new()),
        }
    }

    /// Takes a place if one is free.
    fn try_take(&self) -> Result<bool, PermitsClosed> {
        let mut cur = self.free.load(Ordering::SeqCst);
        loop {
            if cur & CLOSED != 0 {
                return Err(PermitsClosed);
            }
            if cur == 0 {
                return Ok(false);
            }
            match self
                .free
                .compare_exchange_weak(cur, cur - 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return Ok(true),
                Err(now) => cur = now,
            }
        }
    }

    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<Result<(), PermitsClosed>> {
        if self.try_take()? {
            return Poll::Ready(Ok(()));
        }
        {
            let mut waiters = self.waiters.lock().unwrap_or_else(PoisonError::into_inner);
            if !waiters.last().is_some_and(|w| w.will_wake(cx.waker())) {
                waiters.push(cx.waker().clone());
            }
            self.waiting.store(true, Ordering::SeqCst);
        }
        // A place given back before `waiting` was set was not seen by its giver: look again.
        // (Our waker may stay registered; a spurious wake-up is harmless.)
        if self.try_take()? {
            return Poll::Ready(Ok(()));
        }
        Poll::Pending
    }

    /// Waits for a place.
    pub(crate) async fn take(&self) -> Result<Permit<'_>, PermitsClosed> {
        poll_fn(|cx| self.poll_take(cx)).await?;
        Ok(Permit(self))
    }

    /// Waits for a place, held by the returned value without a borrow.
    pub(crate) async fn take_owned(self: Arc<Self>) -> Result<OwnedPermit, PermitsClosed> {
        poll_fn(|cx| self.poll_take(cx)).await?;
        Ok(OwnedPermit(self))
    }

    fn give(&self) {
        self.free.fetch_add(1, Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) {
            self.wake_all();
        }
    }

    /// Wakes every waiter: each looks for a place again (those whose future was dropped do
    /// nothing), so no wake-up is lost to a waiter that went away.
    fn wake_all(&self) {
        let wakers = {
            let mut waiters = self.waiters.lock().unwrap_or_else(PoisonError::into_inner);
            self.waiting.store(false, Ordering::SeqCst);
            std::mem::take(&mut *waiters)
        };
        for w in wakers {
            w.wake();
        }
    }

    /// No place is given from now on; waiters fail.
    pub(crate) fn close(&self) {
        self.free.fetch_or(CLOSED, Ordering::SeqCst);
        self.wake_all();
    }
}

/// A place taken, given back when dropped.
pub(crate) struct Permit<'a>(&'a Permits);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.0.give();
    }
}

/// A place taken by a value that owns a handle on the places (a dump stream).
pub(crate) struct OwnedPermit(Arc<Permits>);

impl Drop for OwnedPermit {
    fn drop(&mut self) {
        self.0.give();
    }
}
