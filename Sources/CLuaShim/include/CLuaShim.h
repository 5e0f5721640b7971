// The only C in NightShift besides Lua itself: the Lua C API macros Swift cannot
// import, the single trampoline through which Lua calls Swift, a capped allocator,
// and protected wrappers, so that every `longjmp` Lua performs (errors and
// allocation failures alike) happens in C frames only.
#pragma once
#include <stddef.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

/// Signature of the Swift dispatcher: returns the number of results pushed, or one of the
/// `NS_RAISE*` codes after pushing an error value that the trampoline must raise.
typedef int (*ns_dispatch_fn)(lua_State *L, void *box);
/// Signature of the Swift release hook, called from `__gc` of a function box.
typedef void (*ns_release_fn)(void *box);

/// Dispatcher result: raise the error value on top as is.
#define NS_RAISE (-1)
/// Dispatcher result: raise the string on top prefixed with the caller's `file:line:`.
#define NS_RAISE_WHERE (-2)
/// Dispatcher result: nothing could be pushed (out of memory); raise "not enough memory".
#define NS_RAISE_NOMEM (-3)

/// Signature of the Swift interruption check: non-zero when the state's owner wants Lua to stop.
typedef int (*ns_interrupt_fn)(void *owner);

/// Opens a time scope for a bounded call; returns its depth.
typedef int (*ns_scope_open_fn)(void *owner, double limit, const char *label);
/// Closes the scope at `depth`; non-zero when it ran out of time.
typedef int (*ns_scope_close_fn)(void *owner, int depth);

/// Installs the scope callbacks of bounded calls (once per process).
void ns_install_scopes(ns_scope_open_fn open, ns_scope_close_fn close);

/// Pushes the C function `bounded(limit, label, fn, ...)`: a protected call of `fn` inside a
/// time scope; returns `true, results...` or `false, message, timed_out`.
void ns_push_bounded(lua_State *L);

/// Installs the Swift dispatcher, release hook and interruption check (once per process).
void ns_install(ns_dispatch_fn dispatch, ns_release_fn release, ns_interrupt_fn interrupt);

/// Records the Swift owner of a state and installs a count hook that raises "interrupted"
/// (from C, in a Lua frame) when the owner's interruption check says so: a script stuck in
/// a loop that calls no primitive still stops on SIGINT/SIGTERM.
void ns_set_owner(lua_State *L, void *owner);

/// Puts the count hook back to its normal rate after a time scope ran out (once triggered,
/// the hook raises at every instruction until this is called).
void ns_reset_hook(lua_State *L);

/// Creates a state whose allocator refuses to hold more than `limit` bytes (0: no cap),
/// with the standard libraries opened in protected mode; NULL on failure.
lua_State *ns_newstate(size_t limit);
/// Closes a state made by `ns_newstate` and frees its allocator record.
void ns_close(lua_State *L);

/// Sets the allocator's cap in bytes (0: no cap). Memory already held stays.
void ns_set_memory_limit(lua_State *L, size_t limit);
/// The allocator's cap in bytes (0: no cap).
size_t ns_memory_limit(lua_State *L);
/// The bytes the state holds now.
size_t ns_memory_used(lua_State *L);
/// How many allocations the cap has refused since the state was made.
size_t ns_memory_refusals(lua_State *L);
/// A full collection in protected mode; returns a `lua_pcall` status (the error is popped).
int ns_collect(lua_State *L);

/// Pushes a C closure that calls `box` through the trampoline; `box` is released by `__gc`.
/// Returns 0 on success, non-zero (with an error message pushed) on failure; the caller
/// makes sure of three free stack slots.
int ns_pushswiftfunction(lua_State *L, void *box);

/// Like `lua_pcall`, with a message handler that appends a traceback to string errors.
int ns_pcall_traceback(lua_State *L, int nargs, int nresults);


/// One step of building a value on the stack (see `ns_push_ops`).
typedef struct {
    /// One of the `NS_OP_*` codes.
    int kind;
    /// Boolean value, array size of a new table, or registry reference.
    int a;
    /// Record size of a new table.
    int b;
    /// Integer value.
    lua_Integer i;
    /// Float value.
    lua_Number d;
    /// Offset and length of a string's bytes in the arena.
    size_t offset, length;
} ns_op;

enum { NS_OP_NIL, NS_OP_BOOL, NS_OP_INT, NS_OP_NUM, NS_OP_STR, NS_OP_TABLE, NS_OP_SET, NS_OP_REF, NS_OP_GLOBALS };

/// Runs `ops` in protected mode: scalars, strings, references and the global table are
/// pushed, `NS_OP_TABLE` pushes a new table and `NS_OP_SET` pops a key and a value into the
/// table below them (raw). On success the values built are on the stack; on failure (out of
/// memory, too deep) the stack is as before plus the error value. Returns a `lua_pcall`
/// status; the caller makes sure of three free stack slots.
int ns_push_ops(lua_State *L, const ns_op *ops, size_t count, const char *arena);

/// Creates a reference to the value on top in the registry (pops it); LUA_NOREF when
/// Lua ran out of memory (the value is popped all the same).
int ns_ref(lua_State *L);
/// Releases a registry reference.
void ns_unref(lua_State *L, int ref);
/// Pushes the value of a registry reference.
void ns_getref(lua_State *L, int ref);

// Macros of lua.h, as functions.
void ns_pop(lua_State *L, int n);
const char *ns_tolstring(lua_State *L, int idx, size_t *len);
void ns_pushglobaltable(lua_State *L);
int ns_isinteger(lua_State *L, int idx);
