//! The files open in the editor: each one's text (synchronised whole on every change), and
//! its analysis, redone on every change.

use std::collections::HashMap;

use lsp_types::Uri;
use proviso::internals::analysis::Analysis;
use proviso::internals::span::Source;

/// One open file.
pub struct Document {
    pub analysis: Analysis,
    /// The editor's version of the text.
    pub version: i32,
    /// The last analysis of this file whose text parsed, when the current text does not:
    /// where completions find the names while a line is being written.
    stale: Option<Analysis>,
}

impl Document {
    pub fn text(&self) -> &str {
        &self.analysis.source.text
    }

    /// The analysis that knows the file's names: the current one if its text parses,
    /// else the last one that did.
    pub fn known(&self) -> Option<&Analysis> {
        if self.analysis.ast.is_some() {
            Some(&self.analysis)
        } else {
            self.stale.as_ref()
        }
    }
}

/// The open files, by URI.
#[derive(Default)]
pub struct Documents {
    open: HashMap<String, Document>,
}

impl Documents {
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri.as_str())
    }

    /// Opens a file, or replaces its text, and analyses it.
    pub fn set(&mut self, uri: &Uri, version: i32, text: String) -> &Document {
        let analysis = Analysis::new(Source::new(source_name(uri), text));
        let old = self.open.remove(uri.as_str());
        let stale = match old {
            _ if analysis.ast.is_some() => None,
            Some(old) if old.analysis.ast.is_some() => Some(old.analysis),
            Some(old) => old.stale,
            None => None,
        };
        let doc = Document {
            analysis,
            version,
            stale,
        };
        self.open.entry(uri.as_str().to_string()).or_insert(doc)
    }

    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri.as_str());
    }
}

/// The name a file's diagnostics and hook files go by: its path for a `file:` URI (so
/// that hook files are found beside it, as `proviso check` finds them), else the URI.
pub fn source_name(uri: &Uri) -> String {
    let s = uri.as_str();
    let Some(rest) = s.strip_prefix("file://") else {
        return s.to_string();
    };
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = crate::percent::decode(path, false);
    // `file:///c%3A/x` is `c:/x` on Windows.
    let drive = decoded
        .get(1..3)
        .is_some_and(|d| d.ends_with(':') && d.starts_with(|c: char| c.is_ascii_alphabetic()));
    if cfg!(windows) && drive {
        return decoded.get(1..).unwrap_or(&decoded).to_string();
    }
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn names_from_uris() {
        let name = |u: &str| {
            Uri::from_str(u)
                .map(|u| source_name(&u))
                .unwrap_or_default()
        };
        assert_eq!(name("file:///home/a%20b/p.proviso"), "/home/a b/p.proviso");
        assert_eq!(name("file://localhost/p.proviso"), "/p.proviso");
        assert_eq!(name("untitled:Untitled-1"), "untitled:Untitled-1");
        assert_eq!(crate::percent::decode("%zz%4", false), "%zz%4");
    }
}
