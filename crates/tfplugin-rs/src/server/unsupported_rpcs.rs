//! RPCs for features this provider does not have: provider functions, ephemeral resources
//! and moving state across resource types. Each answers a clear diagnostic (or, for
//! GetFunctions, the correct empty answer) rather than a transport-level `Unimplemented`.

use crate::convert;
use crate::diagnostics::Diagnostic;
use crate::proto::tfplugin6 as pb;

fn ephemeral_unsupported(type_name: &str) -> Vec<pb::Diagnostic> {
    vec![convert::diagnostic(&Diagnostic::error(
        "Ephemeral resources are not supported",
        format!("This provider has no ephemeral resource type \"{type_name}\"."),
    ))]
}

pub(super) fn validate_ephemeral_resource_config(
    req: pb::validate_ephemeral_resource_config::Request,
) -> pb::validate_ephemeral_resource_config::Response {
    pb::validate_ephemeral_resource_config::Response {
        diagnostics: ephemeral_unsupported(&req.type_name),
    }
}

pub(super) fn open_ephemeral_resource(
    req: pb::open_ephemeral_resource::Request,
) -> pb::open_ephemeral_resource::Response {
    pb::open_ephemeral_resource::Response {
        diagnostics: ephemeral_unsupported(&req.type_name),
        ..Default::default()
    }
}

pub(super) fn renew_ephemeral_resource(
    req: pb::renew_ephemeral_resource::Request,
) -> pb::renew_ephemeral_resource::Response {
    pb::renew_ephemeral_resource::Response {
        diagnostics: ephemeral_unsupported(&req.type_name),
        ..Default::default()
    }
}

pub(super) fn close_ephemeral_resource(
    req: pb::close_ephemeral_resource::Request,
) -> pb::close_ephemeral_resource::Response {
    pb::close_ephemeral_resource::Response {
        diagnostics: ephemeral_unsupported(&req.type_name),
    }
}

/// The provider has no functions: an empty map is the complete answer.
pub(super) fn get_functions() -> pb::get_functions::Response {
    pb::get_functions::Response::default()
}

pub(super) fn call_function(req: pb::call_function::Request) -> pb::call_function::Response {
    pb::call_function::Response {
        result: None,
        error: Some(pb::FunctionError {
            text: format!("This provider has no function \"{}\".", req.name),
            function_argument: None,
        }),
    }
}

/// `move_resource_state` is not advertised, so terraform only calls this for a `moved`
/// block across resource types; it is refused explicitly.
pub(super) fn move_resource_state(
    req: pb::move_resource_state::Request,
) -> pb::move_resource_state::Response {
    pb::move_resource_state::Response {
        diagnostics: vec![convert::diagnostic(&Diagnostic::error(
            "Moving resource state is not supported",
            format!(
                "This provider cannot move a \"{}\" ({}) into a \"{}\"; remove the moved block and import the object instead.",
                req.source_type_name, req.source_provider_address, req.target_type_name
            ),
        ))],
        ..Default::default()
    }
}
