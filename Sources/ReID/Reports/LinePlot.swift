import Foundation
import Torch

/// A line chart drawn with the image primitives: title, legend, axes with ticks and labels,
/// light grid lines, and one line per named series. Used for CMC curves, loss curves and
/// metrics per epoch.
///
/// Sizes are in points; `render(scale:)` draws at `scale` pixels per point, so a report can
/// write a sharp 2× PNG and show it at `width` × `height` CSS pixels.
public struct LinePlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// nil picks the next colour of `LinePlot.palette`.
        public var color: Image.Color?

        public init(name: String, points: [(x: Double, y: Double)], color: Image.Color? = nil) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width: Int
    public var height: Int
    /// Axis ranges; nil fits the data and rounds out to whole tick steps.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Tick positions; nil places about six at 1, 2 or 5 × 10^k.
    public var xTicks: [Double]?
    public var yTicks: [Double]?
    /// Dots at the data points; nil shows them when every series has at most 30 points.
    public var markers: Bool?

    /// Matplotlib's "tab10" colours, in order.
    public static let palette: [Image.Color] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map { Image.Color(hex: $0) }

    public init(title: String, xLabel: String, yLabel: String,
                series: [(name: String, points: [(x: Double, y: Double)])],
                width: Int = 720, height: Int = 420) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series.map { Series(name: $0.name, points: $0.points) }
        self.width = width
        self.height = height
    }

    /// Writes the chart as a PNG (or JPEG, by extension), atomically.
    public func write(to path: String, scale: Int = 1) throws {
        try render(scale: scale).write(to: path)
    }

    /// The chart as an RGB image of (width · scale) × (height · scale) pixels.
    public func render(scale: Int = 1) throws -> Image {
        guard width >= 120, height >= 100, scale >= 1 else {
            throw ReIDError.invalidOption("a plot needs at least 120×100 points and scale ≥ 1 (got \(width)×\(height), scale \(scale))")
        }
        let s = Double(scale)
        func px(_ points: Double) -> Int { Int((points * s).rounded()) }
        let ink = Image.Color(hex: 0x1F2937), soft = Image.Color(hex: 0x4B5563)
        let gridColor = Image.Color(hex: 0xE5E7EB), frameColor = Image.Color(hex: 0x6B7280)
        let titleScale = 0.62 * s, labelScale = 0.48 * s, tickScale = 0.42 * s
        let textThickness = max(1, scale)
        let pad = 12.0

        var canvas = Image(height: height * scale, width: width * scale, channels: 3, fill: 255)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xAxis = PlotAxis(values: xs, fixed: xRange, ticks: xTicks)
        let yAxis = PlotAxis(values: ys, fixed: yRange, ticks: yTicks)

        // Title, centred.
        var top = pad * s
        if !title.isEmpty {
            let t = try Image.textSize(title, scale: titleScale, thickness: textThickness)
            top += Double(t.height)
            try canvas.drawText(title, x: max(0, (canvas.width - t.width) / 2), y: Int(top), scale: titleScale,
                                color: ink, thickness: textThickness)
            top += Double(t.descent) + pad * 0.8 * s
        }

        // Legend: a line sample and the name per series, wrapped into rows, centred.
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        if !named.isEmpty {
            let sample = 22.0 * s, gapAfterSample = 6.0 * s, gapBetween = 18.0 * s
            let textHeight = Double(try Image.textSize("Ag", scale: labelScale, thickness: textThickness).height)
            var rows: [[(index: Int, width: Double)]] = [[]]
            var rowWidth = 0.0
            let available = Double(canvas.width) - 2 * pad * s
            for (i, item) in named {
                let w = sample + gapAfterSample + Double(try Image.textSize(item.name, scale: labelScale, thickness: textThickness).width)
                let needed = rows[rows.count - 1].isEmpty ? w : rowWidth + gapBetween + w
                if needed > available, !rows[rows.count - 1].isEmpty {
                    rows.append([(i, w)])
                    rowWidth = w
                } else {
                    rows[rows.count - 1].append((i, w))
                    rowWidth = needed
                }
            }
            let rowHeight = textHeight + 8 * s
            for row in rows {
                let total = row.map(\.width).reduce(0, +) + gapBetween * Double(row.count - 1)
                var x = (Double(canvas.width) - total) / 2
                let baseline = top + textHeight
                for item in row {
                    let color = seriesColor(item.index)
                    let mid = baseline - textHeight / 2
                    try canvas.drawLine(from: (x, mid), to: (x + sample, mid), color: color, thickness: max(1, 2 * scale))
                    try canvas.drawText(series[item.index].name, x: Int(x + sample + gapAfterSample), y: Int(baseline),
                                        scale: labelScale, color: soft, thickness: textThickness)
                    x += item.width + gapBetween
                }
                top += rowHeight
            }
            top += 2 * s
        }

        // Plot area: leave room for the y label and tick labels on the left, the x ones below,
        // and half a tick label on the right so the last one is not cut.
        let tickLength = 5.0 * s
        let tickText = try Image.textSize("0", scale: tickScale, thickness: textThickness)
        let labelText = try Image.textSize("Ag", scale: labelScale, thickness: textThickness)
        let yTickWidth = try yAxis.ticks.map { Double(try Image.textSize(yAxis.label($0), scale: tickScale, thickness: textThickness).width) }.max() ?? 0
        let lastXTickWidth = try xAxis.ticks.last.map { Double(try Image.textSize(xAxis.label($0), scale: tickScale, thickness: textThickness).width) } ?? 0
        let yLabelBand = yLabel.isEmpty ? 0 : Double(labelText.height + labelText.descent) + 10 * s
        let left = (pad * s + yLabelBand + yTickWidth + tickLength + 4 * s).rounded()
        let right = (Double(canvas.width) - max(pad * s, lastXTickWidth / 2 + 4 * s)).rounded()
        let xLabelBand = xLabel.isEmpty ? 0 : Double(labelText.height + labelText.descent) + 8 * s
        let bottom = (Double(canvas.height) - pad * s - xLabelBand - Double(tickText.height) - tickLength - 6 * s).rounded()
        let plotTop = (top + 4 * s).rounded()
        guard right - left > 20 * s, bottom - plotTop > 20 * s else {
            throw ReIDError.invalidOption("the plot \"\(title)\" has no room left for its data at \(width)×\(height) points; make it larger")
        }
        let plotWidth = Int(right - left), plotHeight = Int(bottom - plotTop)

        // Grid and series go on their own image, so lines outside the ranges are clipped.
        var area = Image(height: plotHeight, width: plotWidth, channels: 3, fill: 255)
        let w = Double(plotWidth - 1), h = Double(plotHeight - 1)
        for t in xAxis.ticks {
            let x = xAxis.map(t, from: 0, to: w)
            try area.drawLine(from: (x, 0), to: (x, h), color: gridColor, thickness: max(1, scale), antialiased: false)
        }
        for t in yAxis.ticks {
            let y = yAxis.map(t, from: h, to: 0)
            try area.drawLine(from: (0, y), to: (w, y), color: gridColor, thickness: max(1, scale), antialiased: false)
        }
        let showMarkers = markers ?? series.allSatisfy { $0.points.count <= 30 }
        for (i, item) in series.enumerated() {
            let color = seriesColor(i)
            // A non-finite value (a NaN loss, say) breaks the line.
            var runs: [[(x: Double, y: Double)]] = [[]]
            for p in item.points {
                if p.x.isFinite && p.y.isFinite {
                    runs[runs.count - 1].append((xAxis.map(p.x, from: 0, to: w), yAxis.map(p.y, from: h, to: 0)))
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            for run in runs {
                try area.drawPolyline(run, color: color, thickness: max(1, 2 * scale))
                if showMarkers || run.count == 1 {
                    for p in run { try area.drawCircle(center: p, radius: 3 * s, color: color, filled: true) }
                }
            }
        }
        try canvas.paste(area, x: Int(left), y: Int(plotTop))
        try canvas.strokeRectangle(x: Int(left), y: Int(plotTop), width: plotWidth, height: plotHeight,
                                   color: frameColor, thickness: max(1, scale / 2))

        // Ticks and their labels.
        for t in xAxis.ticks {
            let x = left + xAxis.map(t, from: 0, to: w)
            try canvas.drawLine(from: (x, bottom), to: (x, bottom + tickLength), color: frameColor, thickness: max(1, scale / 2))
            let label = xAxis.label(t)
            let size = try Image.textSize(label, scale: tickScale, thickness: textThickness)
            try canvas.drawText(label, x: Int(x) - size.width / 2, y: Int(bottom + tickLength + 4 * s) + size.height,
                                scale: tickScale, color: soft, thickness: textThickness)
        }
        for t in yAxis.ticks {
            let y = plotTop + yAxis.map(t, from: h, to: 0)
            try canvas.drawLine(from: (left - tickLength, y), to: (left, y), color: frameColor, thickness: max(1, scale / 2))
            let label = yAxis.label(t)
            let size = try Image.textSize(label, scale: tickScale, thickness: textThickness)
            try canvas.drawText(label, x: Int(left - tickLength - 4 * s) - size.width, y: Int(y) + size.height / 2,
                                scale: tickScale, color: soft, thickness: textThickness)
        }

        // Axis labels: x centred under the plot, y turned a quarter and centred beside it.
        if !xLabel.isEmpty {
            let size = try Image.textSize(xLabel, scale: labelScale, thickness: textThickness)
            try canvas.drawText(xLabel, x: Int(left) + (plotWidth - size.width) / 2,
                                y: canvas.height - Int(pad * s) - size.descent,
                                scale: labelScale, color: ink, thickness: textThickness)
        }
        if !yLabel.isEmpty {
            let size = try Image.textSize(yLabel, scale: labelScale, thickness: textThickness)
            var strip = Image(height: size.height + size.descent + 2, width: size.width + 2, channels: 3, fill: 255)
            try strip.drawText(yLabel, x: 1, y: size.height + 1, scale: labelScale, color: ink, thickness: textThickness)
            let turned = strip.rotatedCounterclockwise()
            try canvas.paste(turned, x: Int(pad * s), y: Int(plotTop) + (plotHeight - turned.height) / 2)
        }
        return canvas
    }

    private func seriesColor(_ i: Int) -> Image.Color {
        series[i].color ?? LinePlot.palette[i % LinePlot.palette.count]
    }
}
