//! Reads documents from files, directories and standard input, one document at a time.
//!
//! A YAML or JSON file is one document. JSON Lines (and standard input that looks like it)
//! is read as a stream of lines, each line a document of its own: memory stays flat, a
//! line that is not UTF-8 fails alone, and the first decision can be written before the
//! input ends. Every read stops at the size limit, so an endless input is refused, not
//! read to the end. Each input named gets one result per document, or one error.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::ValueEnum;
use proviso::Input;
use proviso::{Document, Format};

use super::escape::Shown;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Yaml,
    Json,
    Jsonl,
}

/// How documents are read.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The format given with `--input-format`, instead of guessing.
    pub format: Option<InputFormat>,
    /// The largest document (a whole file, or one line of JSON Lines), in bytes.
    pub max_bytes: u64,
}

/// Where the documents go: each document and each input error in order, and a signal
/// before the reader may wait for more input.
pub trait Sink {
    /// One document read.
    fn document(&mut self, doc: &Document<'_>) -> io::Result<()>;
    /// One input (or one line of it) that holds no readable document.
    fn error(&mut self, e: &InputError) -> io::Result<()>;
    /// The reader is about to wait for more input: what is written should be seen now.
    fn idle(&mut self) -> io::Result<()>;
}

/// An input, or one line of it, that could not be read as a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub input: Input,
    pub message: String,
    pub help: Option<String>,
}

impl InputError {
    fn new(path: &Arc<str>, line: Option<usize>, message: String) -> Self {
        InputError {
            input: Input {
                path: path.clone(),
                line,
            },
            message,
            help: None,
        }
    }

    fn with_help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

impl miette::Diagnostic for InputError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(label(&self.input)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// `path`, or `path:line` for one line of an input.
pub fn label(input: &Input) -> String {
    match input.line {
        Some(n) => format!("{}:{n}", input.path),
        None => input.path.to_string(),
    }
}

/// One argument, expanded: standard input, a file, or a directory that cannot be listed.
enum Entry {
    Stdin,
    File(String),
    Unlisted(String, io::Error),
}

/// Reads every document named by `args` (files, directories of them, `-`) into `sink`, in
/// order. Stops early only when the sink fails (its output cannot be written).
pub fn read_all(args: &[String], opts: &Options, sink: &mut dyn Sink) -> io::Result<()> {
    for entry in expand(args) {
        match entry {
            Entry::Stdin => stdin(opts, sink)?,
            Entry::File(path) => file(&path, opts, sink)?,
            Entry::Unlisted(path, e) => {
                let name: Arc<str> = path.as_str().into();
                let message = format!("cannot list the directory `{}`: {e}", Shown(&path));
                sink.error(&InputError::new(&name, None, message))?;
            }
        }
    }
    Ok(())
}

/// Expands directory arguments into the document files below them (`.yaml`, `.yml`,
/// `.json`, `.jsonl`, `.ndjson`), sorted; files named `*.expected.*` are expected outputs
/// and skipped. Symbolic links are followed, but each real directory is walked once, so a
/// link back up the tree (or a second link to one directory) adds no documents.
fn expand(args: &[String]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut walked = HashSet::new();
    for a in args {
        let p = Path::new(a);
        if a == "-" {
            out.push(Entry::Stdin);
        } else if p.is_dir() {
            walk(p, &mut walked, &mut out);
        } else {
            out.push(Entry::File(a.clone()));
        }
    }
    out
}

fn walk(dir: &Path, walked: &mut HashSet<PathBuf>, out: &mut Vec<Entry>) {
    let listed = std::fs::canonicalize(dir).and_then(|real| {
        let first = walked.insert(real);
        first.then(|| std::fs::read_dir(dir)).transpose()
    });
    let entries = match listed {
        Ok(Some(entries)) => entries,
        Ok(None) => return,
        Err(e) => {
            out.push(Entry::Unlisted(dir.display().to_string(), e));
            return;
        }
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if p.is_dir() {
            walk(&p, walked, out);
        } else if matches!(ext, "yaml" | "yml" | "json" | "jsonl" | "ndjson")
            && !name.contains(".expected.")
        {
            out.push(Entry::File(p.display().to_string()));
        }
    }
}

/// JSON Lines: each line of `reader` (a request body) a document, named `name` and its line.
pub fn read_lines(
    name: &Arc<str>,
    reader: impl Read,
    opts: &Options,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    lines(name, &mut reader, 0, opts, sink)
}

/// Bytes asked of the system at a time.
const READ_BUFFER: usize = 64 * 1024;

/// A file: JSON Lines by `--input-format` or by its extension (`.jsonl`, `.ndjson`), else
/// one document (`.json` is JSON, anything else YAML).
fn file(path: &str, opts: &Options, sink: &mut dyn Sink) -> io::Result<()> {
    let name: Arc<str> = path.into();
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let message = format!("cannot read `{}`: {e}", Shown(path));
            return sink.error(&InputError::new(&name, None, message));
        }
    };
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let format = opts.format.unwrap_or(match ext {
        "json" => InputFormat::Json,
        "jsonl" | "ndjson" => InputFormat::Jsonl,
        _ => InputFormat::Yaml,
    });
    let mut reader = BufReader::with_capacity(READ_BUFFER, f);
    match format {
        InputFormat::Jsonl => lines(&name, &mut reader, 0, opts, sink),
        InputFormat::Json => read_whole(&name, reader, Format::Json, opts, sink),
        InputFormat::Yaml => read_whole(&name, reader, Format::Yaml, opts, sink),
    }
}

/// Standard input: as `--input-format` says, or guessed from its lines. It is JSON Lines
/// when a line after the first (non-blank) one starts with `{`; otherwise it is one
/// document, JSON when it starts with `{` and YAML when not. So a first line that is not
/// JSON does not turn JSON Lines into one YAML document: it gets an error of its own.
fn stdin(opts: &Options, sink: &mut dyn Sink) -> io::Result<()> {
    let name: Arc<str> = "-".into();
    let mut reader = BufReader::with_capacity(READ_BUFFER, io::stdin().lock());
    let format = match opts.format {
        Some(InputFormat::Jsonl) => return lines(&name, &mut reader, 0, opts, sink),
        Some(InputFormat::Json) => Some(Format::Json),
        Some(InputFormat::Yaml) => Some(Format::Yaml),
        None => None,
    };
    if let Some(format) = format {
        return read_whole(&name, reader, format, opts, sink);
    }
    // The lines read so far, held until the format is known.
    let mut held: Vec<Vec<u8>> = Vec::new();
    let mut size = 0u64;
    let mut seen_first = false;
    loop {
        if reader.buffer().is_empty() {
            sink.idle()?;
        }
        let mut line = Vec::new();
        let read = read_line(&mut reader, &mut line, opts.max_bytes);
        let n = held.len() + 1;
        match read {
            Ok(Line::End) => break,
            Ok(Line::Whole) => {}
            Ok(Line::TooLong) => return sink.error(&too_large(&name, None, opts.max_bytes)),
            Err(e) => {
                let message = format!("cannot read standard input at line {n}: {e}");
                return sink.error(&InputError::new(&name, None, message));
            }
        }
        let blank = strip_bom(n, content(&line))
            .iter()
            .all(u8::is_ascii_whitespace);
        if seen_first && line.first() == Some(&b'{') {
            for (i, held_line) in held.iter().enumerate() {
                one_line(&name, i + 1, held_line, sink)?;
            }
            one_line(&name, n, &line, sink)?;
            return lines(&name, &mut reader, n, opts, sink);
        }
        seen_first |= !blank;
        size += line.len() as u64;
        held.push(line);
        if size > opts.max_bytes {
            return sink.error(&too_large(&name, None, opts.max_bytes));
        }
    }
    let bytes = held.concat();
    let text = strip_bom(1, &bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    let format = match first {
        Some(b'{') => Format::Json,
        _ => Format::Yaml,
    };
    document(&name, 1, text, format, sink)
}

/// One document: the whole of `reader` (a file, standard input, a request body), named
/// `name`, up to the size limit.
pub fn read_whole(
    name: &Arc<str>,
    reader: impl Read,
    format: Format,
    opts: &Options,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut bytes = Vec::new();
    let read = reader
        .take(opts.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes);
    if let Err(e) = read {
        let message = format!("cannot read {}: {e}", what(name));
        return sink.error(&InputError::new(name, None, message));
    }
    if bytes.len() as u64 > opts.max_bytes {
        return sink.error(&too_large(name, None, opts.max_bytes));
    }
    // Standard input is named by line, as JSON Lines on it are; a file is named alone.
    let line = usize::from(&**name == "-");
    document(name, line, strip_bom(1, &bytes), format, sink)
}

/// JSON Lines from `reader`, the first line read being line `after + 1`.
fn lines<R: Read>(
    name: &Arc<str>,
    reader: &mut BufReader<R>,
    after: usize,
    opts: &Options,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut n = after;
    loop {
        if reader.buffer().is_empty() {
            sink.idle()?;
        }
        n += 1;
        match read_line(reader, &mut line, opts.max_bytes) {
            Ok(Line::End) => return Ok(()),
            Ok(Line::Whole) => one_line(name, n, &line, sink)?,
            Ok(Line::TooLong) => {
                let mut e = too_large(name, Some(n), opts.max_bytes);
                e.message = format!("{}; the rest of {} is not read", e.message, what(name));
                return sink.error(&e);
            }
            Err(e) => {
                let message = format!("cannot read {}: {e}", what(name));
                return sink.error(&InputError::new(name, Some(n), message));
            }
        }
    }
}

/// One line of JSON Lines (with its line break): a document, nothing if blank, or an error.
fn one_line(name: &Arc<str>, n: usize, line: &[u8], sink: &mut dyn Sink) -> io::Result<()> {
    let text = strip_bom(n, content(line));
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    document(name, n, text, Format::Json, sink)
}

/// A document from its bytes, or an error naming the first byte that is not UTF-8.
fn document(
    name: &Arc<str>,
    line: usize,
    bytes: &[u8],
    format: Format,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    match std::str::from_utf8(bytes) {
        Ok(text) => sink.document(&Document {
            name: name.clone(),
            text,
            format,
            line,
        }),
        Err(e) => {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let before = String::from_utf8_lossy(valid);
            let lines_before = before.matches('\n').count();
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let byte = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
            let at = match (line, lines_before) {
                (0, l) => format!("line {}, column {col}", l + 1),
                (_, 0) => format!("column {col}"),
                (n, l) => format!("line {}, column {col}", n + l),
            };
            let message = format!("not valid UTF-8: byte 0x{byte:02X} at {at}");
            let shown = Some(line).filter(|&n| n > 0);
            sink.error(&InputError::new(name, shown, message))
        }
    }
}

enum Line {
    /// A line read whole, with its line break if it has one.
    Whole,
    /// A line longer than the limit: reading stopped at the limit.
    TooLong,
    /// The end of the input.
    End,
}

/// Reads one line into `buf`, never more than `max` bytes besides its line break.
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, max: u64) -> io::Result<Line> {
    buf.clear();
    let n = reader
        .by_ref()
        .take(max.saturating_add(1))
        .read_until(b'\n', buf)?;
    Ok(if n == 0 {
        Line::End
    } else if buf.last() != Some(&b'\n') && n as u64 > max {
        Line::TooLong
    } else {
        Line::Whole
    })
}

/// A line without its line break (`\n` or `\r\n`).
fn content(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The UTF-8 byte order mark an input may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Line `n` without the byte order mark, when it is the first line.
fn strip_bom(n: usize, line: &[u8]) -> &[u8] {
    match n {
        1 => line.strip_prefix(BOM).unwrap_or(line),
        _ => line,
    }
}

/// `` `path` ``, or `standard input`.
fn what(name: &str) -> String {
    match name {
        "-" => "standard input".into(),
        path => format!("`{}`", Shown(path)),
    }
}

/// The error for a document (or line) larger than the limit.
fn too_large(name: &Arc<str>, line: Option<usize>, max: u64) -> InputError {
    let message = match line {
        Some(n) => format!(
            "line {n} is longer than {}, the most one document may hold",
            size(max)
        ),
        None => format!(
            "{} is larger than {}, the most one document may hold",
            what(name),
            size(max)
        ),
    };
    InputError::new(name, line, message).with_help(
        "to read a larger document, raise the limit with `--max-document-bytes SIZE`".into(),
    )
}

/// A size for people: `16 MiB`, `512 KiB`, or bytes.
pub fn size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes % unit == 0 {
            return format!("{} {name}", bytes / unit);
        }
    }
    match bytes {
        1 => "1 byte".into(),
        n => format!("{n} bytes"),
    }
}

/// Parses `--max-document-bytes`: a number of bytes, optionally with a unit (`KiB`, `MiB`,
/// `GiB`, or `K`, `M`, `G`, all powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = s.get(digits.len()..).unwrap_or_default();
    let scale: u64 = match unit {
        "" | "B" => 1,
        "K" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        _ => {
            return Err(format!(
                "expected a size like 16MiB or 1048576, found `{s}`"
            ))
        }
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("expected a size like 16MiB or 1048576, found `{s}`"))
}
