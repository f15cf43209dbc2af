import Foundation

/// One axis of a plot: its range and where the ticks go.
struct PlotAxis {
    var lower: Double
    var upper: Double
    var ticks: [Double]
    /// Decimals that tell the tick values apart.
    var decimals: Int

    /// An axis over `values` (or over `fixed` when given) with about `target` ticks at
    /// 1, 2 or 5 × 10^k. A data-driven range is widened to whole steps; a fixed one is kept.
    init(values: [Double], fixed: ClosedRange<Double>?, ticks explicit: [Double]?, target: Int = 6) {
        let finite = values.filter(\.isFinite)
        var lo = fixed?.lowerBound ?? finite.min() ?? 0
        var hi = fixed?.upperBound ?? finite.max() ?? 1
        if hi - lo < 1e-12 * max(1, abs(lo)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let step = PlotAxis.niceStep((hi - lo) / Double(target))
        if fixed == nil {
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
        }
        lower = lo
        upper = hi
        if let explicit {
            ticks = explicit.filter { $0 >= lo - 1e-9 * (hi - lo) && $0 <= hi + 1e-9 * (hi - lo) }
        } else {
            var t: [Double] = []
            var k = (lo / step - 1e-9).rounded(.up)
            while k * step <= hi + 1e-9 * step {
                // k * step, not a running sum, so 0.1 steps do not drift to 0.30000000000000004
                t.append(k * step)
                k += 1
            }
            ticks = t
        }
        let spacing = zip(ticks, ticks.dropFirst()).map { $1 - $0 }.min() ?? step
        let allIntegers = ticks.allSatisfy { $0 == $0.rounded() }
        decimals = allIntegers ? 0 : max(0, Int((-log10(spacing)).rounded(.up)))
    }

    /// 1, 2 or 5 × 10^k, the first at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let f = raw / magnitude
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude
    }

    func label(_ v: Double) -> String {
        let s = String(format: "%.\(decimals)f", v)
        return s == "-0" || s.hasPrefix("-0.") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    /// Position of `v` between `from` (at lower) and `to` (at upper).
    func map(_ v: Double, from: Double, to: Double) -> Double {
        from + (v - lower) / (upper - lower) * (to - from)
    }
}
