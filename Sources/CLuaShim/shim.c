#include "CLuaShim.h"
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

/* Runs every 10000 instructions; raising here is what lua.c itself does on Ctrl-C. */
static void ns_interrupt_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    void *owner = *(void **)lua_getextraspace(L);
    if (owner != NULL && g_interrupt != NULL && g_interrupt(owner)) {
        /* From now on every instruction raises, so a pcall in a loop cannot swallow the
           stop: the error reaches the Swift caller, which resets the hook (ns_reset_hook). */
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

/* The one entry from Lua into Swift. Swift returns -1 instead of raising, so the
   longjmp of lua_error starts here, after the Swift frame has returned. */
static int ns_trampoline(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, lua_upvalueindex(1));
    if (slot == NULL || *slot == NULL) {
        return luaL_error(L, "Swift function was released");
    }
    int n = g_dispatch(L, *slot);
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

lua_State *ns_newstate(void) {
    lua_State *L = luaL_newstate();
    if (L == NULL) return NULL;
    lua_pushcfunction(L, ns_open);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L);
        return NULL;
    }
    return L;
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

int ns_loadtext(lua_State *L, const char *buf, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, buf, len, chunkname, "t");
}

int ns_ref(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }
void ns_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
void ns_getref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }

void ns_pop(lua_State *L, int n) { lua_pop(L, n); }
const char *ns_tolstring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
void ns_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
int ns_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }
