-- wrk script for loadtest/run.py: rotate through a list of paths and count the
-- status codes per path.
--
--   wrk ... -s loadtest/mix.lua http://127.0.0.1:PORT -- TAG /path1 /path2 ...
--
-- wrk's response() hook is not told which request a response answers (many
-- connections share one thread), so every request carries its path's index in
-- an X-Request-ID header ("TAG-THREAD-INDEX-N"): the app echoes a well-formed
-- X-Request-ID on every response it makes (careerguide.http.health.
-- RequestLogMiddleware, the outermost middleware, so errors and health probes
-- too). A response without it (e.g. one made by gunicorn itself) is counted
-- under index 0, "unidentified". The same id appears in the app's JSON log,
-- which is how run.py finds this run's requests there.
--
-- Each wrk thread has its own Lua state and counters; setup() keeps the thread
-- objects so done() can read them back with thread:get() and add them up.
-- Counters are flat tables keyed "INDEX:STATUS" (one level: thread:get copies
-- them across Lua states). done() prints one machine-readable line: bench/
-- summary.lua's (loaded below, from beside this file's folder) plus the counters.
-- For every 503 it also counts the Retry-After value, and for /readyz's JSON
-- 503s which check failed.

dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "../bench/summary.lua")

local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   tag = args[1]
   paths = {}
   for i = 2, #args do
      paths[#paths + 1] = args[i]
   end
   n = 0
   counts = {}       -- "INDEX:STATUS" -> responses
   retry_after = {}  -- "INDEX:VALUE" -> 503 responses with that Retry-After ("-" = none)
   reasons = {}      -- "INDEX|database=...;cache=..." -> 503s with that JSON body (/readyz)
end

function request()
   n = n + 1
   local i = (n - 1) % #paths + 1
   -- wrk.format() replaces wrk.headers with this table (Host is kept): a fresh
   -- table each time, since wrk.format adds Content-Length to it.
   return wrk.format("GET", paths[i], {
      ["X-Request-ID"] = string.format("%s-%d-%d-%06d", tag, tid, i, n),
      ["User-Agent"] = "loadtest-wrk",
      ["Accept-Encoding"] = "gzip",
      ["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8",
   })
end

local function bump(t, key)
   t[key] = (t[key] or 0) + 1
end

function response(status, headers, body)
   local rid = headers["X-Request-ID"] or headers["x-request-id"] or ""
   local i = tonumber(string.match(rid, "^[%w]+%-%d+%-(%d+)%-%d+$")) or 0
   bump(counts, i .. ":" .. status)
   if status == 503 then
      local ra = headers["Retry-After"] or headers["retry-after"] or "-"
      bump(retry_after, i .. ":" .. ra)
      -- /readyz says which check failed: {"status": ..., "database": ..., "cache": ...}
      local db = string.match(body or "", '"database": "([^"]*)"')
      local cache = string.match(body or "", '"cache": "([^"]*)"')
      if db or cache then
         bump(reasons, i .. "|database=" .. (db or "?") .. ";cache=" .. (cache or "?"))
      end
   end
end

local function json_table(t)
   local parts = {}
   for k, v in pairs(t) do
      parts[#parts + 1] = string.format('"%s": %d', k, v)
   end
   return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
   local total, ra, why = {}, {}, {}
   for _, thread in ipairs(threads) do
      for k, v in pairs(thread:get("counts") or {}) do
         total[k] = (total[k] or 0) + v
      end
      for k, v in pairs(thread:get("retry_after") or {}) do
         ra[k] = (ra[k] or 0) + v
      end
      for k, v in pairs(thread:get("reasons") or {}) do
         why[k] = (why[k] or 0) + v
      end
   end
   io.write("WRK-JSON " .. summary_json(summary, latency, string.format(
      ', "counts": %s, "retry_after": %s, "reasons": %s',
      json_table(total), json_table(ra), json_table(why))) .. "\n")
end
