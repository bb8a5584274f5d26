-- wrk script of bench/bench_national.py: one connection per wrk thread (-t N -c N), each thread its own line of
-- the plan file (wrk ... URL -- PLAN.tsv): its own signed-in user, path, and for cell saves its own child.
-- Plan line (tab separated): kind  path  cookie  csrf  [child  stage  year  version  skills(,)  levels(,)]
-- kind "get": GET path; kind "cell": POST path JSON {child_id, skill_id, stage, academic_year, level, version},
-- each save changes the level (I -> II -> III -> I) and sends the version the previous save returned.
-- Prints one WRK_JSON line: throughput, latency percentiles (microseconds), errors, answers other than 200.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("idx", counter)
  table.insert(threads, thread)
end

local function split(s, sep)
  local out = {}
  for part in string.gmatch(s, "([^" .. sep .. "]+)") do table.insert(out, part) end
  return out
end

function init(args)
  local lines = {}
  for l in io.lines(args[1]) do table.insert(lines, l) end
  local f = split(lines[((idx - 1) % #lines) + 1], "\t")
  kind, path, cookie, csrf = f[1], f[2], f[3], f[4]
  bad, conflicts, saved = 0, 0, 0
  if kind == "cell" then
    child, stage, year, version = f[5], f[6], tonumber(f[7]), tonumber(f[8])
    skills = split(f[9], ",")
    levels = {}
    for i, v in ipairs(split(f[10], ",")) do levels[i] = tonumber(v) end
    at = 1
  end
end

function request()
  if kind == "cell" then
    pending = (levels[at] % 3) + 1
    local body = string.format('{"child_id": "%s", "skill_id": "%s", "stage": "%s", "academic_year": %d, ' ..
      '"level": "%d", "version": %d}', child, skills[at], stage, year, pending, version)
    return wrk.format("POST", path, {["Cookie"] = cookie, ["X-CSRFToken"] = csrf,
      ["Content-Type"] = "application/json", ["Accept"] = "application/json"}, body)
  end
  return wrk.format("GET", path, {["Cookie"] = cookie})
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  if kind == "cell" then
    local v = body and tonumber(string.match(body, '"version":%s*(%d+)'))
    if status == 200 and v then
      version = v
      levels[at] = pending
      saved = saved + 1
      at = (at % #skills) + 1
    elseif status == 409 and v then
      conflicts = conflicts + 1
      version = v
    end
  end
end

function done(summary, latency, requests)
  local nbad, nconf, nsaved = 0, 0, 0
  for _, t in ipairs(threads) do
    nbad = nbad + (t:get("bad") or 0)
    nconf = nconf + (t:get("conflicts") or 0)
    nsaved = nsaved + (t:get("saved") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, "not_200": %d, "conflicts": %d, "saved": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50.0), latency:percentile(90.0), latency:percentile(95.0), latency:percentile(99.0),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout, nbad, nconf, nsaved))
end
