//! Hooks: sandboxed Rhai functions that compute jurisdiction-specific amounts for a policy.
//!
//! A policy declares `hook admin_fee(state: string, price: money, prorated: money) -> money
//! from "admin-fee.rhai"`; the file sits next to the policy and defines a function of that
//! name and arity. Hooks are compiled once, when the policy loads. The sandbox:
//! - no file, network or process access exists in the engine, `import` is refused at
//!   compile time, `eval` is disabled, `print`/`debug` go nowhere, and there is no clock;
//! - every number is an exact decimal or an integer (floats do not exist);
//!   a policy value no decimal holds exactly (`200/3`) is passed as the nearest 28-place
//!   decimal, and an `integer` parameter takes only a whole number;
//! - operations, call depth, expression depth, string, array and map sizes are bounded,
//!   so a runaway hook fails the document it was evaluating, quickly, with a diagnostic;
//! - the result must have the declared type, and money must not be negative.
//!
//! A failure names the hook, the limit it ran into or the place in its file where it
//! stopped. The policy's sha256 covers each hook file (see [`crate::compile::hash`]).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rhai::{Dynamic, Engine, EvalAltResult, ParseErrorType, Position, Scope, AST};
use rust_decimal::Decimal;

use crate::check::HookSig;
use crate::diagnostic::PolicyError;
use crate::read::{read_text, Unreadable};
use crate::span::{Source, Span};
use crate::types::Base;
use crate::value::Value;

/// Largest hook file read, in bytes.
pub const MAX_HOOK_BYTES: usize = 64 << 10;
/// Most functions one hook file may define.
pub const MAX_FUNCTIONS: usize = 256;
/// Most variables a hook may hold at once.
pub const MAX_VARIABLES: usize = 256;
/// Deepest expression nesting in a hook, at the top level and inside a function.
pub const MAX_EXPR_DEPTH: usize = 64;
pub const MAX_FN_EXPR_DEPTH: usize = 32;
/// Most Rhai operations one hook call may take.
pub const MAX_OPERATIONS: u64 = 200_000;
/// Deepest function-call nesting in a hook.
pub const MAX_CALL_LEVELS: usize = 32;
/// Largest string, array and map a hook may build.
pub const MAX_STRING_BYTES: usize = 16_384;
pub const MAX_ARRAY_ITEMS: usize = 4_096;
pub const MAX_MAP_ITEMS: usize = 1_024;

/// The compiled hooks of one policy version.
pub struct Hooks {
    /// The sandbox the hooks run in; none for a policy without hooks, since building one
    /// costs about as much as checking a small policy.
    engine: Option<Engine>,
    hooks: Vec<Hook>,
}

struct Hook {
    sig: HookSig,
    ast: AST,
    /// The hook file's path, for locations in messages.
    file: Arc<str>,
    /// The hook file's text, for comparing versions.
    text: Arc<str>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.hooks.iter().map(|h| &h.sig.name))
            .finish()
    }
}

/// A hook file as read from disk.
pub struct HookFile {
    /// The file as the policy names it, relative to the policy's folder.
    pub name: String,
    pub source: Source,
}

/// The hook files named by `sigs`, each file's text from `text(sig, path, shown)` once its
/// path is known to lie in the policy's folder; every error is kept, not only the first.
fn files(
    policy: &Source,
    sigs: &[HookSig],
    text: impl Fn(&HookSig, &Path, &str) -> Result<String, PolicyError>,
) -> Result<Vec<HookFile>, Vec<PolicyError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for sig in sigs {
        let Some(path) = beside(policy, sig, &mut errors) else {
            continue;
        };
        let shown = path.display().to_string();
        match text(sig, &path, &shown) {
            Ok(text) => files.push(HookFile {
                name: sig.file.clone(),
                source: Source::new(shown, text),
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// The error for a hook file larger than [`MAX_HOOK_BYTES`], on disk or given.
fn too_large(policy: &Source, sig: &HookSig, shown: &str) -> PolicyError {
    PolicyError::new(
        policy,
        sig.span,
        format!("hook file `{shown}` is too large"),
        "this hook",
    )
    .with_help(format!(
        "a hook file may hold at most {MAX_HOOK_BYTES} bytes; a hook is a small \
         computation, and the rules belong in the policy"
    ))
}

/// Where a hook's file is: its name in the policy's folder. A name that leaves the folder
/// (`..`, an absolute path) is an error, added to `errors`.
fn beside(policy: &Source, sig: &HookSig, errors: &mut Vec<PolicyError>) -> Option<PathBuf> {
    let rel = Path::new(&sig.file);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        errors.push(
            PolicyError::new(
                policy,
                sig.span,
                format!("hook file `{}` is outside the policy's folder", sig.file),
                "this hook",
            )
            .with_help("name a file in the policy's folder or below it, like \"admin-fee.rhai\""),
        );
        return None;
    }
    let dir = Path::new(policy.name.as_ref())
        .parent()
        .unwrap_or(Path::new(""));
    Some(dir.join(rel))
}

fn sandbox() -> Engine {
    let mut e = Engine::new();
    e.set_max_operations(MAX_OPERATIONS);
    e.set_max_call_levels(MAX_CALL_LEVELS);
    e.set_max_functions(MAX_FUNCTIONS);
    e.set_max_variables(MAX_VARIABLES);
    e.set_max_expr_depths(MAX_EXPR_DEPTH, MAX_FN_EXPR_DEPTH);
    e.set_max_string_size(MAX_STRING_BYTES);
    e.set_max_array_size(MAX_ARRAY_ITEMS);
    e.set_max_map_size(MAX_MAP_ITEMS);
    e.set_strict_variables(true);
    e.disable_symbol("eval");
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    e
}

impl Hooks {
    /// Each hook's name and the text of its script, in declaration order.
    pub fn scripts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.hooks
            .iter()
            .map(|h| (h.sig.name.as_str(), h.text.as_ref()))
    }

    /// Each hook's file as the policy names it (`from "admin-fee.rhai"`) and its text, in
    /// declaration order: what [`Hooks::given`] takes to compile the policy again.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.hooks
            .iter()
            .map(|h| (h.sig.file.as_str(), h.text.as_ref()))
    }

    pub fn none() -> Self {
        Hooks {
            engine: None,
            hooks: Vec::new(),
        }
    }

    /// Reads the hook files named by `sigs`, next to `policy`.
    pub fn read(policy: &Source, sigs: &[HookSig]) -> Result<Vec<HookFile>, Vec<PolicyError>> {
        files(policy, sigs, |sig, path, shown| {
            read_text(path, shown, MAX_HOOK_BYTES, "hook file").map_err(|e| match e {
                Unreadable::Io(e) => PolicyError::new(
                    policy,
                    sig.span,
                    format!("cannot read hook file `{shown}`: {e}"),
                    "this hook",
                ),
                Unreadable::TooLarge(_) => too_large(policy, sig, shown),
                Unreadable::NotUtf8(e) => e,
            })
        })
    }

    /// The hook files named by `sigs`, taken from `given` (each text under the name the
    /// policy gives it in `from "..."`) instead of from disk: no file is read. A hook whose
    /// file is not given, or is outside the policy's folder, is an error, as it is for
    /// [`Hooks::read`]; so is a text larger than [`MAX_HOOK_BYTES`].
    pub fn given(
        policy: &Source,
        sigs: &[HookSig],
        given: &BTreeMap<String, String>,
    ) -> Result<Vec<HookFile>, Vec<PolicyError>> {
        files(policy, sigs, |sig, _, shown| match given.get(&sig.file) {
            None => {
                let mut names: Vec<String> = given.keys().map(|k| format!("`{k}`")).collect();
                if names.is_empty() {
                    names.push("none".into());
                }
                Err(PolicyError::new(
                    policy,
                    sig.span,
                    format!("hook file `{}` is not given", sig.file),
                    "this hook",
                )
                .with_help(format!(
                    "give the text of `{}` with the policy (hook files given: {})",
                    sig.file,
                    crate::diagnostic::listing(&names)
                )))
            }
            Some(text) if text.len() > MAX_HOOK_BYTES => Err(too_large(policy, sig, shown)),
            Some(text) => Ok(text.clone()),
        })
    }

    /// Compiles each hook file and checks it defines the declared function.
    pub fn compile(
        policy: &Source,
        sigs: &[HookSig],
        files: &[HookFile],
    ) -> Result<Hooks, Vec<PolicyError>> {
        if sigs.is_empty() {
            return Ok(Hooks::none());
        }
        let engine = sandbox();
        let mut hooks = Vec::new();
        let mut errors = Vec::new();
        for (sig, file) in sigs.iter().zip(files) {
            // A byte order mark opening the file is no part of the script.
            let text: &str = &file.source.text;
            let bom = text.starts_with('\u{FEFF}');
            let script = text.trim_start_matches('\u{FEFF}');
            let compiled = contained(|| engine.compile(script));
            let ast = match compiled {
                Ok(Ok(ast)) => ast,
                Err(why) => {
                    errors.push(PolicyError::new(
                        &file.source,
                        Span::new(0, 0),
                        format!("hook `{}` does not compile: {why}", sig.name),
                        "in this file",
                    ));
                    continue;
                }
                Ok(Err(e)) => {
                    let pos = e.position();
                    let line = pos.line().unwrap_or(1);
                    let col = pos.position().unwrap_or(1) + usize::from(bom && line == 1);
                    let at = file.source.offset_of(line, col);
                    let end = (at + 1).min(file.source.text.len());
                    let why = match e.err_type() {
                        ParseErrorType::Reserved(word) if word == "import" => {
                            "a hook cannot import modules".to_string()
                        }
                        ParseErrorType::ExprTooDeep => format!(
                            "an expression nested more than {MAX_EXPR_DEPTH} levels deep \
                             ({MAX_FN_EXPR_DEPTH} inside a function)"
                        ),
                        ParseErrorType::TooManyFunctions => {
                            format!("more than {MAX_FUNCTIONS} functions")
                        }
                        other => lowercase_first(other.to_string()),
                    };
                    errors.push(PolicyError::new(
                        &file.source,
                        Span::new(at, end),
                        format!("hook `{}` does not compile: {why}", sig.name),
                        "here",
                    ));
                    continue;
                }
            };
            let arity = sig.params.len();
            let same_name = || ast.iter_functions().filter(|f| f.name == sig.name);
            if !same_name().any(|f| f.params.len() == arity) {
                let message = match same_name().next() {
                    Some(f) => format!(
                        "`{}` defines `{}` with {} parameters, but the policy passes {arity}",
                        file.source.name,
                        sig.name,
                        f.params.len()
                    ),
                    None => format!(
                        "`{}` defines no function `{}` taking {arity} values",
                        file.source.name, sig.name
                    ),
                };
                errors.push(
                    PolicyError::new(policy, sig.span, message, "declared here").with_help(
                        format!("define `fn {}(...)` with {arity} parameters", sig.name),
                    ),
                );
                continue;
            }
            hooks.push(Hook {
                sig: sig.clone(),
                ast,
                file: file.source.name.clone(),
                text: file.source.text.clone(),
            });
        }
        if errors.is_empty() {
            Ok(Hooks {
                engine: Some(engine),
                hooks,
            })
        } else {
            Err(errors)
        }
    }

    /// Calls hook `i`; the message names the hook on any failure.
    pub fn call(&self, i: usize, args: Vec<Value>) -> Result<Value, String> {
        let hook = self
            .hooks
            .get(i)
            .ok_or_else(|| "internal error: unknown hook".to_string())?;
        let name = &hook.sig.name;
        let mut dyn_args = Vec::with_capacity(args.len());
        for (v, ty) in args.into_iter().zip(&hook.sig.params) {
            dyn_args.push(
                to_dynamic(v, &ty.base)
                    .ok_or_else(|| format!("hook `{name}` was given a value it cannot take"))?,
            );
        }
        let engine = self
            .engine
            .as_ref()
            .ok_or_else(|| "internal error: a hook without its sandbox".to_string())?;
        let result =
            contained(|| engine.call_fn::<Dynamic>(&mut Scope::new(), &hook.ast, name, dyn_args))
                .map_err(|why| format!("hook `{name}` failed: {why}"))?
                .map_err(|e| failure(name, &hook.file, *e))?;
        from_dynamic(result, &hook.sig.ret.base).map_err(|m| format!("hook `{name}` {m}"))
    }
}

thread_local! {
    /// Whether this thread is running hook code under [`contained`].
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is running a hook. A panic raised there is caught and
/// reported as the hook's failure, so a program's panic hook may stay silent about it
/// (the `proviso` command does); the library itself never prints.
pub fn running_hook() -> bool {
    IN_HOOK.with(Cell::get)
}

/// Marks the current thread as running a hook until dropped, even when unwinding.
struct Running(bool);

impl Running {
    fn start() -> Running {
        Running(IN_HOOK.with(|h| h.replace(true)))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        IN_HOOK.with(|h| h.set(self.0));
    }
}

/// Runs Rhai on a hook, turning a panic inside Rhai or the decimal library (`tan` at
/// pi/2 panics in `rust_decimal`) into the reason the hook failed, so that it fails only
/// the document being evaluated.
///
/// `AssertUnwindSafe` is sound here: what the closure mutates is per call (the `Scope`,
/// and the evaluation state Rhai creates for each `call_fn` or `compile`), and the
/// `Engine` and `AST` it borrows are only read, so a panic leaves nothing half-updated
/// that a later call could observe.
fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let running = Running::start();
    let outcome = catch_unwind(AssertUnwindSafe(f));
    drop(running);
    outcome.map_err(|payload| {
        let said = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        match said.filter(|s| plain(s)) {
            Some(s) => format!(
                "a built-in function could not compute its result ({})",
                lowercase_first(s)
            ),
            None => "a built-in function could not compute its result".into(),
        }
    })
}

/// Whether a panic message reads as words a policy author can use (not Rust internals).
fn plain(s: &str) -> bool {
    s.len() <= 80
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " .,-".contains(c))
}

/// A hook's runtime failure in one line: the hook, where in its file it stopped, and why,
/// naming the sandbox limit it ran into.
fn failure(name: &str, file: &str, mut e: EvalAltResult) -> String {
    while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = e {
        e = *inner;
    }
    let pos = e.take_position();
    let why = match &e {
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!("more than {MAX_OPERATIONS} operations (a loop that never ends?)")
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            format!("calls nested more than {MAX_CALL_LEVELS} deep (a recursion that never ends?)")
        }
        EvalAltResult::ErrorTooManyVariables(_) => {
            format!("more than {MAX_VARIABLES} variables at once")
        }
        EvalAltResult::ErrorDataTooLarge(what, _) if what.contains("string") => {
            format!("a string longer than {MAX_STRING_BYTES} bytes")
        }
        EvalAltResult::ErrorDataTooLarge(what, _) if what.contains("array") => {
            format!("an array of more than {MAX_ARRAY_ITEMS} items")
        }
        EvalAltResult::ErrorDataTooLarge(what, _) if what.contains("map") => {
            format!("a map of more than {MAX_MAP_ITEMS} entries")
        }
        EvalAltResult::ErrorFunctionNotFound(sig, _) => {
            let name = sig.split(" (").next().unwrap_or(sig);
            format!("no function `{name}` takes these values")
        }
        other => lowercase_first(other.to_string()),
    };
    match location(pos) {
        Some((line, col)) => format!("hook `{name}` failed at {file}:{line}:{col}: {why}"),
        None => format!("hook `{name}` failed: {why}"),
    }
}

fn location(pos: Position) -> Option<(usize, usize)> {
    Some((pos.line()?, pos.position().unwrap_or(1)))
}

/// Rhai's messages start with a capital; ours do not.
fn lowercase_first(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => s,
    }
}

/// A policy value as a hook argument. Hooks compute with decimals: a fraction passes as
/// the nearest 28-place decimal; an `integer` parameter takes only a whole number.
fn to_dynamic(v: Value, base: &Base) -> Option<Dynamic> {
    Some(match (v, base) {
        (v @ (Value::Num(_) | Value::Ratio(_)), Base::Integer) => {
            Dynamic::from_int(crate::exact::whole(&v)?)
        }
        (v @ (Value::Num(_) | Value::Ratio(_)), _) => {
            Dynamic::from_decimal(crate::exact::nearest_decimal(&v)?)
        }
        (Value::Str(s), _) => Dynamic::from(s.to_string()),
        (Value::Bool(b), _) => Dynamic::from_bool(b),
        _ => return None,
    })
}

fn from_dynamic(d: Dynamic, base: &Base) -> Result<Value, String> {
    let kind = match d.type_name() {
        "()" => "nothing",
        "string" => "a string",
        "array" => "an array",
        "map" => "a map",
        other => other,
    };
    match base {
        Base::Money | Base::Decimal => {
            let n = match d.as_decimal() {
                Ok(n) => n,
                Err(_) => Decimal::from(
                    d.as_int()
                        .map_err(|_| format!("returned {kind}, not {}", describe(base)))?,
                ),
            };
            if *base == Base::Money && n.is_sign_negative() && !n.is_zero() {
                return Err(format!("returned a negative amount ({n})"));
            }
            Ok(Value::Num(n))
        }
        Base::Integer => d
            .as_int()
            .map(|n| Value::Num(Decimal::from(n)))
            .map_err(|_| format!("returned {kind}, not an integer")),
        Base::Bool => d
            .as_bool()
            .map(Value::Bool)
            .map_err(|_| format!("returned {kind}, not a bool")),
        Base::Str => d
            .into_string()
            .map(|s| Value::Str(s.into()))
            .map_err(|_| format!("returned {kind}, not a string")),
        _ => Err(format!("returned {kind}, which a policy cannot use")),
    }
}

fn describe(base: &Base) -> &'static str {
    match base {
        Base::Money => "money",
        _ => "a decimal",
    }
}
