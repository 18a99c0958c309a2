//! STUB: the qualys-pm-simulator (an axum app working on raw JSON, not on `qualys::model`).
