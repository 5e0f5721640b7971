// The only C in NightShift besides Lua itself: the Lua C API macros Swift cannot
// import, the single trampoline through which Lua calls Swift, and protected
// wrappers, so that every `longjmp` Lua performs happens in C frames only.
#pragma once
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

/// Signature of the Swift dispatcher: returns the number of results pushed, or -1
/// after pushing an error value that the trampoline must raise.
typedef int (*ns_dispatch_fn)(lua_State *L, void *box);
/// Signature of the Swift release hook, called from `__gc` of a function box.
typedef void (*ns_release_fn)(void *box);

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

/// Puts the count hook back to its normal rate after an interruption was handled (once
/// triggered, the hook raises at every instruction until Swift calls this).
void ns_reset_hook(lua_State *L);

/// Creates a state with the standard libraries opened in protected mode; NULL on failure.
lua_State *ns_newstate(void);

/// Pushes a C closure that calls `box` through the trampoline; `box` is released by `__gc`.
/// Returns 0 on success, non-zero (with an error message pushed) on failure.
int ns_pushswiftfunction(lua_State *L, void *box);

/// Like `lua_pcall`, with a message handler that appends a traceback to string errors.
int ns_pcall_traceback(lua_State *L, int nargs, int nresults);

/// Loads a text-only chunk (binary chunks are refused); status like `luaL_loadbufferx`.
int ns_loadtext(lua_State *L, const char *buf, size_t len, const char *chunkname);

/// Creates a reference to the value on top in the registry (pops it); LUA_NOREF on failure.
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
