//! Policy conformance (in progress).
