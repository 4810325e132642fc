//! `proviso lsp`: a language server for `.proviso` files, over standard input and output.
//!
//! The server speaks the Language Server Protocol, one message at a time, on one thread:
//! an analysis of a policy file takes milliseconds, so each request is answered before the
//! next is read, in order, and nothing runs in the background. `transport` reads and
//! writes the framed JSON-RPC messages (bad input is answered with an error, never a
//! crash); `documents` keeps the text of each open file, synchronised whole, and its
//! analysis (`proviso::internals::analysis`: the diagnostics of `proviso check`, the syntax
//! tree and an index of every name), redone on every change; `diagnostics` publishes the
//! errors and lints of a file whenever it is opened, changed or saved; `hover`,
//! `navigate` (definition and references), `completion`, `formatting` (the layout of
//! `proviso fmt`) and `symbols` (the outline) answer the requests; `position` maps byte
//! offsets to the protocol's lines and UTF-16 columns.
//!
//! The lifecycle follows the specification: requests before `initialize` fail with
//! `ServerNotInitialized`, requests after `shutdown` with `InvalidRequest`; `exit` ends the
//! process, with status 0 after a `shutdown` and 1 without. An unknown request fails with
//! `MethodNotFound`; unknown notifications are ignored. The library knows nothing of this.

mod completion;
mod diagnostics;
mod documents;
mod formatting;
mod hover;
mod navigate;
mod position;
mod symbols;
mod transport;

use std::io::{self, BufRead, Write};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, InitializeResult, OneOf, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use documents::Documents;
use transport::Incoming;

/// The state of the session.
#[derive(Default)]
struct Server {
    docs: Documents,
    initialized: bool,
    shutdown: bool,
}

/// What handling a message leads to.
enum Next {
    Continue,
    Exit(i32),
}

/// Serves the client on `input` and `output` until `exit` or the end of the input, and
/// returns the exit status: 0 after `shutdown` then `exit`, else 1.
pub fn run(input: &mut impl BufRead, output: &mut impl Write) -> i32 {
    let mut server = Server::default();
    loop {
        let incoming = match transport::read(input) {
            Ok(Some(m)) => m,
            Ok(None) => return if server.shutdown { 0 } else { 1 },
            Err(_) => return 1,
        };
        let written = match incoming {
            Incoming::Malformed { id, code, message } => {
                transport::write_error(output, &id, code, &message).map(|()| Next::Continue)
            }
            Incoming::Message(m) => server.handle(m, output),
        };
        match written {
            Ok(Next::Continue) => {}
            Ok(Next::Exit(code)) => return code,
            Err(_) => return 1,
        }
    }
}

impl Server {
    fn handle(&mut self, m: Message, out: &mut impl Write) -> io::Result<Next> {
        match m {
            Message::Request(r) => {
                let response = self.request(r);
                transport::write(out, &Message::Response(response))?;
                Ok(Next::Continue)
            }
            Message::Notification(n) if n.method == note::Exit::METHOD => {
                Ok(Next::Exit(if self.shutdown { 0 } else { 1 }))
            }
            Message::Notification(n) => {
                for published in self.notification(n) {
                    transport::write(out, &Message::Notification(published))?;
                }
                Ok(Next::Continue)
            }
            // The server sends no requests, so it expects no responses.
            Message::Response(_) => Ok(Next::Continue),
        }
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        if r.method == req::Initialize::METHOD {
            if self.initialized {
                return error(
                    id,
                    ErrorCode::InvalidRequest,
                    "the server is already initialized",
                );
            }
            self.initialized = true;
            return ok(id, initialize_result());
        }
        if !self.initialized {
            let code = ErrorCode::ServerNotInitialized;
            return error(
                id,
                code,
                "the server is not initialized: send `initialize` first",
            );
        }
        if self.shutdown {
            return error(id, ErrorCode::InvalidRequest, "the server is shutting down");
        }
        let docs = &self.docs;
        match r.method.as_str() {
            req::Shutdown::METHOD => {
                self.shutdown = true;
                ok(id, ())
            }
            req::HoverRequest::METHOD => answer(r, |p| hover::hover(docs, &p)),
            req::GotoDefinition::METHOD => answer(r, |p| navigate::definition(docs, &p)),
            req::References::METHOD => answer(r, |p| navigate::references(docs, &p)),
            req::Completion::METHOD => answer(r, |p| completion::completion(docs, &p)),
            req::DocumentSymbolRequest::METHOD => answer(r, |p| symbols::symbols(docs, &p)),
            req::Formatting::METHOD => match params(&r) {
                Err(e) => e,
                Ok(p) => match formatting::formatting(docs, &p) {
                    Ok(edits) => ok(id, edits),
                    Err(why) => error(id, ErrorCode::RequestFailed, &why),
                },
            },
            other => error(
                id,
                ErrorCode::MethodNotFound,
                &format!("unknown method `{other}`"),
            ),
        }
    }

    /// Handles a notification; returns the diagnostics to publish.
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        if !self.initialized {
            return Vec::new();
        }
        let published = match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Some(p) = take::<lsp_types::DidOpenTextDocumentParams>(&n) else {
                    return Vec::new();
                };
                let d = p.text_document;
                let doc = self.docs.set(&d.uri, d.version, d.text);
                diagnostics::publish(&d.uri, Some(doc.version), Some(&doc.analysis))
            }
            note::DidChangeTextDocument::METHOD => {
                let Some(p) = take::<lsp_types::DidChangeTextDocumentParams>(&n) else {
                    return Vec::new();
                };
                // Full synchronisation: the last change holds the whole text.
                let Some(change) = p.content_changes.into_iter().last() else {
                    return Vec::new();
                };
                let d = p.text_document;
                let doc = self.docs.set(&d.uri, d.version, change.text);
                diagnostics::publish(&d.uri, Some(doc.version), Some(&doc.analysis))
            }
            note::DidSaveTextDocument::METHOD => {
                let Some(p) = take::<lsp_types::DidSaveTextDocumentParams>(&n) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                // Saved: hook files beside it may have changed too, so analyse it again.
                let Some(doc) = self.docs.get(&uri) else {
                    return Vec::new();
                };
                let version = doc.version;
                let text = p.text.unwrap_or_else(|| doc.text().to_string());
                let doc = self.docs.set(&uri, version, text);
                diagnostics::publish(&uri, Some(doc.version), Some(&doc.analysis))
            }
            note::DidCloseTextDocument::METHOD => {
                let Some(p) = take::<lsp_types::DidCloseTextDocumentParams>(&n) else {
                    return Vec::new();
                };
                self.docs.close(&p.text_document.uri);
                diagnostics::publish(&p.text_document.uri, None, None)
            }
            _ => return Vec::new(),
        };
        let method = note::PublishDiagnostics::METHOD.to_string();
        match serde_json::to_value(published) {
            Ok(params) => vec![Notification { method, params }],
            Err(_) => Vec::new(),
        }
    }
}

fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(true),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), "\"".into()]),
                ..CompletionOptions::default()
            }),
            document_formatting_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "proviso".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

/// A notification's parameters, if they are what its method takes.
fn take<P: DeserializeOwned>(n: &Notification) -> Option<P> {
    serde_json::from_value(n.params.clone()).ok()
}

/// A request's parameters, or the `InvalidParams` response.
fn params<P: DeserializeOwned>(r: &Request) -> Result<P, Response> {
    serde_json::from_value(r.params.clone()).map_err(|e| {
        let why = format!("invalid parameters for `{}`: {e}", r.method);
        error(r.id.clone(), ErrorCode::InvalidParams, &why)
    })
}

/// Answers a request with what `f` makes of its parameters (`null` for `None`).
fn answer<P: DeserializeOwned, R: Serialize>(r: Request, f: impl FnOnce(P) -> R) -> Response {
    match params(&r) {
        Ok(p) => ok(r.id, f(p)),
        Err(e) => e,
    }
}

fn ok(id: RequestId, result: impl Serialize) -> Response {
    match serde_json::to_value(result) {
        Ok(v) => Response {
            id,
            response_result: Ok(v),
        },
        Err(e) => error(id, ErrorCode::InternalError, &e.to_string()),
    }
}

fn error(id: RequestId, code: ErrorCode, message: &str) -> Response {
    Response::new_err(id, code as i32, message.to_string())
}
