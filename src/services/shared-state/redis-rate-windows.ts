import type { Redis } from 'ioredis';
import type { Clock } from '../../clock';
import type { RateDecision } from './shared-state';
import { bucketWidth, rateDecision, SLOTS } from './sliding-window';

// The ring of sliding-window.ts as one fixed-size Redis string: the newest bucket (a double), the total, then one
// 32-bit count per slot (slot = bucket mod SLOTS). Read whole, updated in Lua, written whole: one script, so Redis runs
// check-and-count atomically for every process at once, and the same bytes are read and written whatever the limit
// or the traffic (a hash would cost more as more buckets hold calls).
// KEYS[1] the window; ARGV: now (ms), limit, bucket width (ms), SLOTS. Returns { allowed, counted, freesAt }.
const TAKE = `
local key = KEYS[1]
local now, limit, width, slots = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local format = '>dI4' .. string.rep('I4', slots)
local current = math.floor(now / width)
local raw = redis.call('GET', key)
local head, total, counts = current, 0, {}
if raw and #raw == struct.size(format) then
  local values = { struct.unpack(format, raw) }
  head, total = values[1], values[2]
  for i = 1, slots do counts[i] = values[i + 2] end
else
  for i = 1, slots do counts[i] = 0 end
end
-- A caller whose clock is behind the newest bucket counts in the newest bucket (conservative).
if current < head then current = head end
for bucket = head + 1, math.min(current, head + slots) do
  local i = bucket % slots + 1
  total = total - counts[i]
  counts[i] = 0
end
local allowed = total < limit
if allowed then
  local i = current % slots + 1
  counts[i] = counts[i] + 1
  total = total + 1
end
redis.call('SET', key, struct.pack(format, current, total, unpack(counts)), 'PX', slots * width)
-- When the window, left alone, counts no more than target: the oldest buckets expire first.
local target = allowed and (total - 1) or (limit - 1)
local left = total
for bucket = current - slots + 1, current do
  left = left - counts[bucket % slots + 1]
  if left <= target then return { allowed and 1 or 0, total, (bucket + slots) * width } end
end
return { allowed and 1 or 0, total, (current + slots) * width }`;

/** Rate windows in Redis, shared by every process using the same Redis and prefix. */
export class RedisRateWindows {
  constructor(private readonly redis: Redis, private readonly clock: Clock, private readonly prefix: string) {
    redis.defineCommand('askdeskTake', { numberOfKeys: 1, lua: TAKE });
  }

  async take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = this.clock.now();
    const take = (this.redis as unknown as { askdeskTake: (...args: (string | number)[]) => Promise<[number, number, number]> }).askdeskTake;
    const [allowed, counted, freesAt] = await take.call(this.redis, this.prefix + key, now, limit, bucketWidth(windowMs), SLOTS);
    return rateDecision(limit, allowed === 1, counted, freesAt, now);
  }
}
