//! The layer's side (mirrord's intproxy, which speaks the agent protocol for the layer):
//! each operation one request and its answer, sent through the session, so an agent that
//! predates a request gets its older form (with a warning where something is lost) or the
//! layer refuses it locally, naming the feature and the release that brings it.

use std::net::IpAddr;
use std::path::PathBuf;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::codec::{ClientMessage, DaemonMessage};
use crate::connection::{Connection, RecvError, SendError};
use crate::dns::{AddressFamily, GetAddrInfoRequestV2, GetAddrInfoResponse, SockType};
use crate::error::ResponseError;
use crate::file::{
    FileRequest, FileResponse, FsMetadataInternalV2, ReadLinkFileRequest, StatFsRequestV2,
    XstatFsRequestV2,
};

/// The layer's end of one connection.
#[derive(Debug)]
pub struct Layer<S> {
    connection: Connection<S>,
}

/// Why an operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum LayerError {
    /// The request was not sent: refused locally (the agent's protocol cannot read it), or
    /// the stream failed.
    Send(SendError),
    /// No answer could be read.
    Recv(RecvError),
    /// The agent answered with an error.
    Remote(ResponseError),
    /// The agent answered with something else than the request asks for.
    Unexpected(Box<DaemonMessage>),
}

impl core::fmt::Display for LayerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LayerError::Send(e) => e.fmt(f),
            LayerError::Recv(e) => e.fmt(f),
            LayerError::Remote(e) => write!(f, "the agent failed: {e:?}"),
            LayerError::Unexpected(m) => write!(f, "the agent answered out of turn: {m:?}"),
        }
    }
}

impl std::error::Error for LayerError {}

impl<S: AsyncRead + AsyncWrite + Unpin> Layer<S> {
    /// A layer speaking over `connection`, which the handshake opened.
    pub fn new(connection: Connection<S>) -> Self {
        Layer { connection }
    }

    /// The connection, and through it the session.
    pub fn connection(&self) -> &Connection<S> {
        &self.connection
    }

    /// One request and its answer.
    pub async fn request(&mut self, request: &ClientMessage) -> Result<DaemonMessage, LayerError> {
        self.connection
            .send(request)
            .await
            .map_err(LayerError::Send)?;
        self.connection.recv().await.map_err(LayerError::Recv)
    }

    async fn file(&mut self, request: FileRequest) -> Result<FileResponse, LayerError> {
        match self.request(&ClientMessage::FileRequest(request)).await? {
            DaemonMessage::File(response) => Ok(response),
            other => Err(LayerError::Unexpected(Box::new(other))),
        }
    }

    /// `readlink`: refused locally by an agent before 1.6.0 (feature `readlink`).
    pub async fn readlink(&mut self, path: impl Into<PathBuf>) -> Result<PathBuf, LayerError> {
        let request = FileRequest::ReadLink(ReadLinkFileRequest { path: path.into() });
        match self.file(request).await? {
            FileResponse::ReadLink(Ok(link)) => Ok(link.path),
            FileResponse::ReadLink(Err(e)) => Err(LayerError::Remote(e)),
            other => Err(unexpected(other)),
        }
    }

    /// `fstatfs`, with every field of V2: an agent before 1.18.0 gets `XstatFs` (the
    /// session's fallback) and its answer is widened, the fields V1 lacks zero.
    pub async fn fstatfs(&mut self, fd: u64) -> Result<FsMetadataInternalV2, LayerError> {
        let answer = self
            .file(FileRequest::XstatFsV2(XstatFsRequestV2 { fd }))
            .await?;
        statfs_answer(answer)
    }

    /// `statfs`, with every field of V2: an agent before 1.18.0 gets `StatFs` (the
    /// session's fallback) and its answer is widened; for an agent before 1.16.0, which
    /// predates `StatFs` too (feature `statfs`), the layer refuses it locally.
    pub async fn statfs(
        &mut self,
        path: impl Into<PathBuf>,
    ) -> Result<FsMetadataInternalV2, LayerError> {
        let request = FileRequest::StatFsV2(StatFsRequestV2 { path: path.into() });
        statfs_answer(self.file(request).await?)
    }

    /// `getaddrinfo` of `node` for `family`: an agent before 1.15.0 gets
    /// `GetAddrInfoRequest` (the session's fallback, which warns that IPv6 will not be
    /// resolved) and answers with IPv4 addresses only.
    pub async fn getaddrinfo(
        &mut self,
        node: &str,
        family: AddressFamily,
    ) -> Result<Vec<IpAddr>, LayerError> {
        let request = ClientMessage::GetAddrInfoRequestV2(GetAddrInfoRequestV2 {
            node: node.into(),
            service_port: 0,
            family,
            socktype: SockType::Any,
            flags: 0,
            protocol: 0,
        });
        match self.request(&request).await? {
            DaemonMessage::GetAddrInfoResponse(GetAddrInfoResponse(Ok(lookup))) => {
                Ok(lookup.0.into_iter().map(|record| record.ip).collect())
            }
            DaemonMessage::GetAddrInfoResponse(GetAddrInfoResponse(Err(e))) => {
                Err(LayerError::Remote(e))
            }
            other => Err(LayerError::Unexpected(Box::new(other))),
        }
    }

    /// Keep-alive.
    pub async fn ping(&mut self) -> Result<(), LayerError> {
        match self.request(&ClientMessage::Ping).await? {
            DaemonMessage::Pong => Ok(()),
            other => Err(LayerError::Unexpected(Box::new(other))),
        }
    }

    /// Tells the agent the layer is done, and hands the connection back.
    pub async fn close(mut self) -> Result<Connection<S>, LayerError> {
        self.connection
            .send(&ClientMessage::Close)
            .await
            .map_err(LayerError::Send)?;
        Ok(self.connection)
    }
}

fn statfs_answer(answer: FileResponse) -> Result<FsMetadataInternalV2, LayerError> {
    match answer {
        FileResponse::XstatFsV2(Ok(v2)) => Ok(v2.metadata),
        FileResponse::XstatFs(Ok(v1)) => Ok(v1.metadata.into()),
        FileResponse::XstatFsV2(Err(e)) | FileResponse::XstatFs(Err(e)) => {
            Err(LayerError::Remote(e))
        }
        other => Err(unexpected(other)),
    }
}

fn unexpected(response: FileResponse) -> LayerError {
    LayerError::Unexpected(Box::new(DaemonMessage::File(response)))
}
