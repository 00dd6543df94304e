-- wrk script of `manage.py benchmark --http`: requests rotate over the keys in the file named
-- by WRK_KEYS (a URL path and an Authorization header per line, tab-separated); `done`
-- prints wrk's figures as one JSON line.
local requests = {}
local next_key = 0

function init(args)
  for line in io.lines(os.getenv("WRK_KEYS")) do
    local path, authorization = line:match("^([^\t]+)\t(.+)$")
    requests[#requests + 1] = wrk.format("GET", path, { ["Authorization"] = authorization })
  end
end

function request()
  next_key = next_key % #requests + 1
  return requests[next_key]
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, ' ..
    '"mean_us": %.1f, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency.mean, latency:percentile(50), latency:percentile(99)))
end
