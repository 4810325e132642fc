//! Reads documents from files and standard input, splitting JSON Lines.

use std::io::Read;
use std::path::Path;

use clap::ValueEnum;
use proviso::{Document, Format};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Yaml,
    Json,
    Jsonl,
}

/// One input's text and how to read it.
pub struct Input {
    pub name: String,
    pub text: String,
    pub format: InputFormat,
}

/// Expands directory arguments into the document files below them (`.yaml`, `.yml`, `.json`,
/// `.jsonl`, `.ndjson`), sorted; files named `*.expected.*` are expected outputs and skipped.
pub fn expand(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if a != "-" && p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(a.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.push(dir.display().to_string());
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(ext, "yaml" | "yml" | "json" | "jsonl" | "ndjson")
            && !name.contains(".expected.")
        {
            out.push(p.display().to_string());
        }
    }
}

/// Reads `-` (standard input) or a file; the format is forced, or guessed from the extension
/// (`.json`, `.jsonl`/`.ndjson`, else YAML) or, for standard input, from the content.
pub fn read(arg: &str, forced: Option<InputFormat>) -> Result<Input, String> {
    if arg == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        let format = forced.unwrap_or_else(|| sniff(&text));
        return Ok(Input {
            name: "<stdin>".into(),
            text,
            format,
        });
    }
    let text = std::fs::read_to_string(arg).map_err(|e| format!("cannot read `{arg}`: {e}"))?;
    let ext = Path::new(arg)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let format = forced.unwrap_or(match ext {
        "json" => InputFormat::Json,
        "jsonl" | "ndjson" => InputFormat::Jsonl,
        _ => InputFormat::Yaml,
    });
    Ok(Input {
        name: arg.to_string(),
        text,
        format,
    })
}

/// JSON when the text starts with `{`; JSON Lines when a later line also starts with `{`.
fn sniff(text: &str) -> InputFormat {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        return InputFormat::Yaml;
    }
    if trimmed.lines().skip(1).any(|l| l.starts_with('{')) {
        InputFormat::Jsonl
    } else {
        InputFormat::Json
    }
}

impl Input {
    /// The documents in this input: one, or one per non-blank line of JSON Lines
    /// (each with its line number).
    pub fn documents(&self) -> Vec<Document<'_>> {
        let whole = |format| Document {
            name: self.name.as_str().into(),
            text: self.text.as_str(),
            format,
            line: 0,
        };
        match self.format {
            InputFormat::Yaml => vec![whole(Format::Yaml)],
            InputFormat::Json => vec![whole(Format::Json)],
            InputFormat::Jsonl => {
                let name: std::sync::Arc<str> = self.name.as_str().into();
                self.text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(i, l)| Document {
                        name: name.clone(),
                        text: l,
                        format: Format::Json,
                        line: i + 1,
                    })
                    .collect()
            }
        }
    }
}
