//! The client crate's one integration-test binary: the client against hand-made gateways
//! (`stub`) on 127.0.0.1, one module per area. The provider's tests (`tests/it` at the
//! workspace root) drive the client through terraform and against the simulator, which this
//! crate may not depend on.

mod stub;

mod api_readings;
mod batches;
mod catalog_search;
mod gateways;
mod job_results;
