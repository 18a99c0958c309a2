//! List resources for `terraform query` (Terraform 1.14+): ValidateListResourceConfig and
//! ListResource.
//!
//! ListResource streams one event per object found. Terraform cancels the stream once it
//! has `limit` events: the lister sees `ListSink::send` answer false (limit reached or
//! stream dropped) and stops, spending no more API calls; that is a normal end, not logged
//! as a failure.

use futures::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use super::{decode, diags, encode, identity_data, ListEvents, Payload, ProviderService};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::{ListRequest, ListResult, ListSink};
use crate::proto::tfplugin6 as pb;
use crate::schema::IdentitySchema;
use crate::types::Type;

impl ProviderService {
    /// Terraform sends only the config here (never `limit` or `include_resource_object`),
    /// with unknowns during `terraform validate`.
    pub(super) fn validate_list_resource_config(
        &self,
        req: pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        tracing::debug!(type_name = %req.type_name, "ValidateListResourceConfig");
        let diagnostics = self.list(&req.type_name).and_then(|entry| {
            let config = decode(req.config.as_ref(), &entry.config_ty, Payload::Config)?;
            Ok(entry.list.validate(&config))
        });
        pb::validate_list_resource_config::Response {
            diagnostics: diags(&diagnostics.unwrap_or_else(|d| d)),
        }
    }

    pub(super) fn list_resource(&self, req: pb::list_resource::Request) -> ListEvents {
        tracing::debug!(type_name = %req.type_name, limit = req.limit, include_resource_object = req.include_resource_object, "ListResource");
        let prepared = (|| {
            let entry = self.list(&req.type_name)?;
            let resource = self.resource(&req.type_name)?;
            let config = decode(req.config.as_ref(), &entry.config_ty, Payload::Config)?;
            if !config.is_wholly_known() {
                return Err(Diagnostics::from(Diagnostic::error(
                    "List configuration is not known",
                    "The list block's config must be known to list.",
                )));
            }
            let identity = resource.identity.clone().ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid list resource",
                    format!(
                        "{} has no identity. This is a bug in the provider.",
                        req.type_name
                    ),
                ))
            })?;
            let events = EventEncoder {
                ty: resource.ty.clone(),
                identity,
                include_resource: req.include_resource_object,
            };
            Ok((entry.list.clone(), config, events))
        })();
        let (list, config, events) = match prepared {
            Ok(p) => p,
            Err(d) => return Box::pin(futures::stream::iter([Ok(diagnostics_event(&d))])),
        };
        let limit = u64::try_from(req.limit).unwrap_or(0);
        if limit == 0 {
            return Box::pin(futures::stream::empty());
        }
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let request = ListRequest {
            config,
            include_resource: req.include_resource_object,
        };
        tokio::spawn(async move { list.list(request, ListSink::new(tx, limit)).await });
        Box::pin(ReceiverStream::new(rx).map(move |item| {
            Ok(match item {
                Ok(result) => events.event(result),
                Err(d) => diagnostics_event(&d),
            })
        }))
    }
}

fn diagnostics_event(d: &Diagnostics) -> pb::list_resource::Event {
    pb::list_resource::Event {
        diagnostic: diags(d),
        ..Default::default()
    }
}

/// Turns the lister's results into events: the identity derived from the state, and the
/// state itself only when Terraform asked for resource objects.
struct EventEncoder {
    ty: Type,
    identity: (IdentitySchema, Type),
    include_resource: bool,
}

impl EventEncoder {
    fn event(&self, result: ListResult) -> pb::list_resource::Event {
        let Some(identity) = identity_data(&self.identity, &result.state) else {
            return diagnostics_event(
                &Diagnostic::error(
                    "List result without identity",
                    format!(
                        "The result \"{}\" has no known identity. This is a bug in the provider.",
                        result.display_name
                    ),
                )
                .into(),
            );
        };
        let resource_object = if !self.include_resource {
            None
        } else if !result.state.is_wholly_known() {
            return diagnostics_event(
                &Diagnostic::error(
                    "List result with unknown values",
                    format!(
                        "The object of \"{}\" has unknown values. This is a bug in the provider.",
                        result.display_name
                    ),
                )
                .into(),
            );
        } else {
            match encode(&result.state, &self.ty, Payload::State) {
                Ok(v) => Some(v),
                Err(d) => return diagnostics_event(&d),
            }
        };
        pb::list_resource::Event {
            identity: Some(identity),
            display_name: result.display_name,
            resource_object,
            diagnostic: Vec::new(),
        }
    }
}
