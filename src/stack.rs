//! Deep work on a stack of its own: parsing and checking recurse once per nesting level.

/// The stack for loading one policy. The grammar descends about a dozen rules for each
/// bracket or `if` level, and an unoptimised build takes about half a megabyte of stack
/// for each level; the parser's pre-scan admits 32 bracket levels and 128 `if`/`list`
/// words, so the deepest policy it lets through needs some 80 MiB there. The stack is
/// reserved address space; only what a policy actually uses is ever touched.
pub const STACK_BYTES: usize = 256 << 20;

/// Runs `f` to completion on a thread with [`STACK_BYTES`] of stack.
pub fn deep<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("proviso-policy".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, f)
            .map_err(|e| format!("cannot start a thread to load the policy: {e}"))?
            .join()
            .map_err(|_| "internal error: loading the policy stopped unexpectedly".to_string())
    })
}
