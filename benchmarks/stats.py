"""Small helpers so every benchmark reports the same way: median, p99, and its baseline."""

import statistics


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(what: str, samples_ms: list[float], baseline: str) -> None:
    print(
        f"{what:<50} p50 {statistics.median(samples_ms):8.3f} ms   p99 {percentile(samples_ms, 0.99):8.3f} ms"
        f"   (n={len(samples_ms)}; baseline: {baseline})"
    )


def report_rate(what: str, per_second: float, baseline: str) -> None:
    print(f"{what:<50} {per_second:10.0f} /s   (baseline: {baseline})")
