//! go-plugin AutoMTLS: a fresh self-signed server certificate per process, and the one
//! client certificate terraform announced in `PLUGIN_CLIENT_CERT` required on every
//! connection.
//!
//! Terraform's client certificate is a self-signed ECDSA P-521 CA certificate. rustls's
//! WebPKI client verifier rejects it (`CaUsedAsEndEntity`) and the ring provider cannot
//! check P-521 signatures at all, so the server runs on aws-lc-rs with a verifier that pins
//! the exact certificate and checks the handshake signature with the provider's algorithms.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName as TlsDistinguishedName, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};

#[derive(Debug, thiserror::Error)]
pub(crate) enum TlsError {
    #[error("cannot create the server certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    ClientCert(String),
    #[error("cannot build the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The server's certificate (sent, base64, in the handshake line) and its key.
pub(crate) struct ServerIdentity {
    pub cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

/// A certificate go's TLS client accepts as both the root and the server certificate for
/// `ServerName: "localhost"`: self-signed, SAN `localhost`, CA, server and client EKUs.
/// ECDSA P-256: quick to generate, so the handshake line is printed within milliseconds.
pub(crate) fn generate_server_identity() -> Result<ServerIdentity, TlsError> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "localhost");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    // Like go-plugin: valid from just before now, for 30 years.
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::hours(262_980);
    let cert = params.self_signed(&key)?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The rustls server configuration: TLS 1.2/1.3, ALPN `h2` (grpc-go 1.67+ requires it),
/// and only the pinned client certificate accepted.
pub(crate) fn server_config(
    identity: &ServerIdentity,
    client_cert_pem: &str,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let client_cert = CertificateDer::from_pem_slice(client_cert_pem.as_bytes())
        .map_err(|e| TlsError::ClientCert(e.to_string()))?;
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedClientCert {
        der: client_cert.as_ref().to_vec(),
        provider: provider.clone(),
    });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts exactly one client certificate, byte for byte.
#[derive(Debug)]
struct PinnedClientCert {
    der: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    /// Empty: go then picks its certificate by signature scheme alone.
    fn root_hint_subjects(&self) -> &[TlsDistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_certificate_must_be_pem() {
        let id = generate_server_identity().unwrap();
        let err = server_config(&id, "not a certificate").unwrap_err();
        assert!(err.to_string().contains("PLUGIN_CLIENT_CERT"), "{err}");
        assert!(rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }
}
