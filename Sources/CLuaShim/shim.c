#include "CLuaShim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ns_dispatch_fn g_dispatch = 0;
static ns_release_fn g_release = 0;
static ns_interrupt_fn g_interrupt = 0;
static ns_scope_open_fn g_scope_open = 0;
static ns_scope_close_fn g_scope_close = 0;

#define BOX_META "nightshift.SwiftFunction"

void ns_install(ns_dispatch_fn dispatch, ns_release_fn release, ns_interrupt_fn interrupt) {
    g_dispatch = dispatch;
    g_release = release;
    g_interrupt = interrupt;
}

void ns_install_scopes(ns_scope_open_fn open, ns_scope_close_fn close) {
    g_scope_open = open;
    g_scope_close = close;
}

/* ---- The capped allocator ----
   Lua's default allocator takes whatever malloc gives, so a runaway script could exhaust the
   machine and the next Swift allocation would abort the process. This one counts what the
   state holds and refuses past the cap; Lua then runs an emergency collection and, failing
   that, raises "not enough memory" (a catchable error), never touching the process. */

typedef struct {
    size_t used;
    size_t limit; /* 0: no cap */
    size_t refusals;
} ns_alloc_record;

static void *ns_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ns_alloc_record *r = (ns_alloc_record *)ud;
    /* With ptr == NULL, osize is a type tag, not a size. */
    size_t old = ptr != NULL ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        r->used -= old;
        return NULL;
    }
    if (nsize > old && r->limit != 0) {
        size_t grow = nsize - old;
        if (r->used > r->limit || grow > r->limit - r->used) {
            r->refusals++;
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL) return NULL;
    r->used = r->used - old + nsize;
    return p;
}

static ns_alloc_record *ns_record(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (ns_alloc_record *)ud;
}

void ns_set_memory_limit(lua_State *L, size_t limit) { ns_record(L)->limit = limit; }
size_t ns_memory_limit(lua_State *L) { return ns_record(L)->limit; }
size_t ns_memory_used(lua_State *L) { return ns_record(L)->used; }
size_t ns_memory_refusals(lua_State *L) { return ns_record(L)->refusals; }

static int ns_collect_unprotected(lua_State *L) {
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}

int ns_collect(lua_State *L) {
    if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
    lua_pushcfunction(L, ns_collect_unprotected);
    int status = lua_pcall(L, 0, 0, 0);
    if (status != LUA_OK) lua_pop(L, 1);
    return status;
}

/* Runs every 10000 instructions; raising here is what lua.c itself does on Ctrl-C. */
static void ns_interrupt_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    void *owner = *(void **)lua_getextraspace(L);
    if (owner != NULL && g_interrupt != NULL && g_interrupt(owner)) {
        /* From now on every instruction raises, so a pcall in a loop cannot swallow the
           stop: the error reaches the Swift caller, and an interrupted run ends (only
           `bounded`, whose time ran out, puts the normal rate back with ns_reset_hook). */
        lua_sethook(L, ns_interrupt_hook, LUA_MASKCOUNT, 1);
        /* In a hook, level 0 is the Lua function that was running: name its line. */
        luaL_where(L, 0);
        lua_pushliteral(L, "interrupted");
        lua_concat(L, 2);
        lua_error(L);
    }
}

void ns_set_owner(lua_State *L, void *owner) {
    *(void **)lua_getextraspace(L) = owner;
    lua_sethook(L, ns_interrupt_hook, LUA_MASKCOUNT, 10000);
}

void ns_reset_hook(lua_State *L) {
    lua_sethook(L, ns_interrupt_hook, LUA_MASKCOUNT, 10000);
}

/* The one entry from Lua into Swift. Swift returns NS_RAISE* instead of raising, so the
   longjmp of lua_error starts here, after the Swift frame has returned. */
static int ns_trampoline(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, lua_upvalueindex(1));
    if (slot == NULL || *slot == NULL) {
        return luaL_error(L, "Swift function was released");
    }
    int n = g_dispatch(L, *slot);
    if (n == NS_RAISE_WHERE) {
        /* Position like luaL_error: where the Lua caller (level 1) is. */
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (n == NS_RAISE_NOMEM) {
        /* Allocating here may fail again: then Lua raises its own memory error, from C. */
        lua_pushliteral(L, "not enough memory");
        return lua_error(L);
    }
    if (n < 0) {
        return lua_error(L);
    }
    return n;
}

static int ns_box_gc(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, 1);
    if (slot != NULL && *slot != NULL) {
        void *box = *slot;
        *slot = NULL;
        g_release(box);
    }
    return 0;
}

static int ns_open(lua_State *L) {
    luaL_openlibs(L);
    if (luaL_newmetatable(L, BOX_META)) {
        lua_pushcfunction(L, ns_box_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "Swift function");
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    return 0;
}

/* Every call into Lua is protected, so reaching this is a bug; say so before Lua aborts. */
static int ns_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "nightshift: unprotected Lua error: %s\n", msg ? msg : "(not a string)");
    return 0;
}

/* Lua's warnings (e.g. an error in a __gc) would go to stderr past the log: dropped. */
static void ns_warn(void *ud, const char *msg, int tocont) {
    (void)ud;
    (void)msg;
    (void)tocont;
}

lua_State *ns_newstate(size_t limit) {
    ns_alloc_record *record = (ns_alloc_record *)calloc(1, sizeof(ns_alloc_record));
    if (record == NULL) return NULL;
    lua_State *L = lua_newstate(ns_alloc, record);
    if (L == NULL) {
        free(record);
        return NULL;
    }
    lua_atpanic(L, ns_panic);
    lua_setwarnf(L, ns_warn, NULL);
    lua_pushcfunction(L, ns_open);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        ns_close(L);
        return NULL;
    }
    /* The cap applies from here: the standard libraries are always there. */
    record->limit = limit;
    return L;
}

void ns_close(lua_State *L) {
    ns_alloc_record *record = ns_record(L);
    lua_close(L);
    free(record);
}

static int ns_pushswift_unprotected(lua_State *L) {
    void *box = lua_touserdata(L, 1);
    void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
    *slot = NULL;
    luaL_setmetatable(L, BOX_META);
    lua_pushcclosure(L, ns_trampoline, 1);
    /* Only now does Lua own the box: if an allocation above failed, the caller releases it
       and __gc sees NULL, so it is never released twice. */
    *slot = box;
    return 1;
}

int ns_pushswiftfunction(lua_State *L, void *box) {
    lua_pushcfunction(L, ns_pushswift_unprotected);
    lua_pushlightuserdata(L, box);
    int status = lua_pcall(L, 1, 1, 0);
    if (status != LUA_OK) {
        /* The box never reached Lua, so Lua will never release it. */
        g_release(box);
    }
    return status;
}

static int ns_msgh(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
            msg = lua_tostring(L, -1);
        } else {
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        }
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* bounded(limit, label, fn, ...) -> true, results... | false, message, timed_out.
   A pcall in C with a time scope around it: the scope's owner (Swift) opens and closes
   it, the count hook raises while it is out of time, and this frame - C, never Swift -
   is where the error lands. Only here is the hook put back to normal, so nothing between
   the error and the caller's next instruction can swallow the stop. */
static int ns_bounded(lua_State *L) {
    lua_Number limit = luaL_checknumber(L, 1);
    const char *label = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TFUNCTION);
    void *owner = *(void **)lua_getextraspace(L);
    if (owner == NULL || g_scope_open == NULL || g_scope_close == NULL) {
        return luaL_error(L, "bounded calls are not available in this state");
    }
    int depth = g_scope_open(owner, (double)limit, label);
    int nargs = lua_gettop(L) - 3;
    lua_pushcfunction(L, ns_msgh);
    lua_insert(L, 3);
    int status = lua_pcall(L, nargs, LUA_MULTRET, 3);
    int timed_out = g_scope_close(owner, depth);
    /* What the stopped code held is garbage now: free it before anything else runs. */
    if (status == LUA_ERRMEM) ns_collect(L);
    if (timed_out && (g_interrupt == NULL || !g_interrupt(owner))) {
        ns_reset_hook(L);
    }
    if (status != LUA_OK) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        lua_pushboolean(L, timed_out);
        return 3;
    }
    int results = lua_gettop(L) - 3;
    lua_pushboolean(L, 1);
    lua_replace(L, 3);
    return results + 1;
}

void ns_push_bounded(lua_State *L) { lua_pushcfunction(L, ns_bounded); }

int ns_pcall_traceback(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, ns_msgh);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}

typedef struct {
    const ns_op *ops;
    size_t count;
    const char *arena;
} ns_ops_job;

static int ns_push_ops_unprotected(lua_State *L) {
    const ns_ops_job *job = (const ns_ops_job *)lua_touserdata(L, 1);
    lua_settop(L, 0);
    for (size_t k = 0; k < job->count; k++) {
        const ns_op *op = &job->ops[k];
        luaL_checkstack(L, 2, "value nested too deeply to pass to Lua");
        switch (op->kind) {
        case NS_OP_NIL: lua_pushnil(L); break;
        case NS_OP_BOOL: lua_pushboolean(L, op->a); break;
        case NS_OP_INT: lua_pushinteger(L, op->i); break;
        case NS_OP_NUM: lua_pushnumber(L, op->d); break;
        case NS_OP_STR: lua_pushlstring(L, job->arena ? job->arena + op->offset : "", op->length); break;
        case NS_OP_TABLE: lua_createtable(L, op->a, op->b); break;
        case NS_OP_SET: lua_rawset(L, -3); break;
        case NS_OP_REF: lua_rawgeti(L, LUA_REGISTRYINDEX, op->a); break;
        case NS_OP_GLOBALS: lua_pushglobaltable(L); break;
        default: return luaL_error(L, "bad value-building step %d", op->kind);
        }
    }
    return lua_gettop(L);
}

int ns_push_ops(lua_State *L, const ns_op *ops, size_t count, const char *arena) {
    ns_ops_job job = {ops, count, arena};
    lua_pushcfunction(L, ns_push_ops_unprotected);
    lua_pushlightuserdata(L, &job);
    return lua_pcall(L, 1, LUA_MULTRET, 0);
}

static int ns_ref_unprotected(lua_State *L) {
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}

int ns_ref(lua_State *L) {
    if (!lua_checkstack(L, 2)) {
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    /* luaL_ref may grow the registry: an allocation, so protected. */
    lua_pushcfunction(L, ns_ref_unprotected);
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    int ref = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return ref;
}

void ns_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
void ns_getref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }

void ns_pop(lua_State *L, int n) { lua_pop(L, n); }
const char *ns_tolstring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
void ns_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
int ns_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }
