/**
 * One request against both policies of a subject, atomically, in one round trip.
 *
 * KEYS[1]: the minute log, a sorted set of request timestamps (an exact sliding window:
 *          at most `minuteLimit` members inside any 60 s, so it stays small).
 * KEYS[2]: the day quota, a hash { d = UTC day number, n = count } (resets at 00:00 UTC).
 * ARGV: minuteLimit, dayLimit, cost, windowMs, a unique request id.
 * Both keys carry the same {hash tag}, so the script also runs on Redis Cluster.
 * Time comes from Redis (TIME), so instances with skewed clocks share one timeline.
 * Returns { violated ('' | 'minute' | 'day'), minuteUsed, minuteResetMs, dayUsed, dayResetMs, retryMs }.
 */
export const SLIDING_WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minuteLimit = tonumber(ARGV[1])
local dayLimit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local today = math.floor(now / 86400000)
local dayReset = 86400000 - (now % 86400000)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local day = redis.call('HMGET', KEYS[2], 'd', 'n')
local dayUsed = 0
if tonumber(day[1]) == today then dayUsed = tonumber(day[2]) end

local violated = ''
local retry = 0
if used + cost > minuteLimit then
  violated = 'minute'
  local index = used + cost - minuteLimit - 1
  if index >= used then
    retry = window
  else
    local entry = redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')
    retry = tonumber(entry[2]) + window - now
  end
elseif dayUsed + cost > dayLimit then
  violated = 'day'
  retry = dayReset
else
  for i = 1, cost do
    redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i)
  end
  redis.call('PEXPIRE', KEYS[1], window)
  dayUsed = dayUsed + cost
  redis.call('HSET', KEYS[2], 'd', today, 'n', dayUsed)
  redis.call('PEXPIRE', KEYS[2], dayReset)
  used = used + cost
end

local minuteReset = window
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then minuteReset = tonumber(oldest[2]) + window - now end
return { violated, used, minuteReset, dayUsed, dayReset, retry }
`;
