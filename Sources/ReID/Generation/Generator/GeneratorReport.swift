import Foundation
import Torch

/// Pictures and pages of the generator: sample grids (one row per image) and report.html.
public enum GeneratorReport {
    /// A grid image from columns of [N,3,H,W] tensors in −1…1: row i shows column c's i-th image.
    public static func grid(_ columns: [Tensor]) throws -> Image {
        let n = columns[0].size(0)
        let rows = try (0..<n).map { i in try Tensor.cat(columns.map { try $0.select(dim: 0, index: i).to(.cpu) }, dim: 2) }
        return try Image(tensor: (Tensor.cat(rows, dim: 1) + 1) / 2)
    }

    static func page(title: String, subtitle: String, sections: [(String, String)]) -> String {
        """
        <!doctype html><html><head><meta charset="utf-8"><title>\(HTML.escape(title))</title><style>\(HTML.style)
        img.grid { image-rendering: pixelated; max-width: 100%; }</style></head>
        <body><main><header><h1>\(HTML.escape(title))</h1><p>\(HTML.escape(subtitle))</p></header>
        \(sections.map { "<section><h2>\(HTML.escape($0.0))</h2>\($0.1)</section>" }.joined(separator: "\n"))
        </main></body></html>
        """
    }

    /// samples.png (original, self-reconstruction, partner, cross-reconstruction, other image,
    /// generated = other's appearance on the original's structure) and report.html.
    static func training(run: GeneratorRun, generator: ViewGenerator, records: [ImageRecord], identities: PseudoIdentities,
                         settings: GeneratorSettings, log: [[String: Any]], device: Device) throws {
        let count = min(6, records.count)
        let xs = Array(stride(from: 0, to: records.count, by: max(1, records.count / count)).prefix(count))
        let ps = xs.map { identities.partners[$0].first ?? $0 }
        let ks = xs.map { (($0 + records.count / 2) % records.count) }
        let batch = try BatchLoader(paths: (xs + ps + ks).map { records[$0].path }, height: settings.height,
                                    width: settings.width, batchSize: 3 * count).load(batch: 0).to(device)
        let x = try batch.narrow(dim: 0, start: 0, length: count), p = try batch.narrow(dim: 0, start: count, length: count)
        let k = try batch.narrow(dim: 0, start: 2 * count, length: count)
        let columns: [Tensor] = try withNoGrad {
            let grey = try ViewGenerator.grey(ViewGenerator.toUnit(x))
            return [try ViewGenerator.toUnit(x), try generator.generate(appearance: x, structureGrey: grey),
                    try ViewGenerator.toUnit(p), try generator.generate(appearance: p, structureGrey: grey),
                    try ViewGenerator.toUnit(k), try generator.generate(appearance: k, structureGrey: grey)]
        }
        try grid(columns).resized(height: count * settings.height * 2, width: 6 * settings.width * 2).write(to: run.path + "/samples.png")
        let losses = TrainingReport.series(log, "loss")
        var sections: [(String, String)] = []
        if !losses.isEmpty {
            try LinePlot(title: "Generator losses", xLabel: "step", yLabel: "mean loss", series: losses)
                .write(to: run.path + "/losses.png", scale: 2)
            sections.append(("Losses", "<img src='losses.png' style='max-width:100%'>"))
        }
        sections.append(("Samples", """
            <img class='grid' src='samples.png'><p>Columns: original · self-reconstruction · partner (same
            pseudo-identity) · cross-reconstruction (partner's appearance, original's structure) · another
            image · generated (its appearance on the original's structure).</p>
            """))
        let step = log.last?["epoch"] as? Int ?? 0
        try AtomicText.write(page(title: "View generator", subtitle: "\(settings.data) · step \(step) of \(settings.steps) · structure \(settings.structure) · encoder \(settings.backbone)",
                                  sections: sections), to: run.report)
    }
}
