//! STUB: `qualys_deployment_job`.
