/** Human durations for messages: "45 s", "12 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const seconds = Math.round(abs / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(abs / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(abs / 3_600_000);
  if (hours < 24) {
    const rest = Math.round((abs - hours * 3_600_000) / 60_000);
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  }
  const days = Math.floor(abs / 86_400_000);
  const restHours = Math.round((abs - days * 86_400_000) / 3_600_000);
  return restHours === 0 ? `${days} d` : `${days} d ${restHours} h`;
}

/** The lead time in words: positive = crosswatch knew first. */
export function describeLeadTime(leadTimeMs: number | null, providerName: string): string | null {
  if (leadTimeMs === null) return null;
  if (leadTimeMs > 0) return `crosswatch knew ${formatDuration(leadTimeMs)} before ${providerName} said so`;
  if (leadTimeMs < 0)
    return `${providerName} said so ${formatDuration(leadTimeMs)} before crosswatch detected it`;
  return `${providerName} said so when crosswatch detected it`;
}
