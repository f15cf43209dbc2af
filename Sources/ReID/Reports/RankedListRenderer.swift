import Foundation
import Torch

/// Draws a ranked list as one row: the query crop, then its top gallery crops, each resized to
/// `cropHeight` × `cropWidth` and framed green when it shows the query's identity, red when it
/// does not (grey when the query's identity is unknown), with its rank and distance below.
public struct RankedListRenderer: Sendable {
    public var cropHeight: Int = 128
    public var cropWidth: Int = 64
    /// Frame width around each crop, in points.
    public var border: Int = 3
    /// Pixels per point: 2 writes a sharp image for a high-density screen.
    public var scale: Int = 1

    public static let matchColor = Image.Color.green
    public static let mismatchColor = Image.Color.red
    public static let unknownColor = Image.Color(hex: 0x9CA3AF)
    public static let queryColor = Image.Color(hex: 0x2563EB)

    public init(cropHeight: Int = 128, cropWidth: Int = 64, border: Int = 3, scale: Int = 1) {
        self.cropHeight = cropHeight
        self.cropWidth = cropWidth
        self.border = border
        self.scale = scale
    }

    /// The frame colour for a gallery item: match, mismatch, or unknown identity.
    public static func borderColor(isMatch: Bool?) -> Image.Color {
        switch isMatch {
        case .some(true): return matchColor
        case .some(false): return mismatchColor
        case .none: return unknownColor
        }
    }

    public struct Row: Sendable {
        public var image: Image
        /// Files that could not be decoded; they are drawn as grey tiles with a cross.
        public var unreadable: [String]
        /// Where each framed crop lies in `image`, in pixels: the query first, then the entries.
        public var tiles: [(x: Int, y: Int, width: Int, height: Int)]
    }

    /// Renders `list`, reading crops from `query[list.queryIndex].path` and the gallery paths.
    public func render(_ list: RankedList, query: [ImageRecord], gallery: [ImageRecord]) throws -> Row {
        try render(list, query: query, gallery: gallery) { record in
            // A missing file is common (a moved dataset) and needs no decoder warning.
            guard FileManager.default.fileExists(atPath: record.path) else {
                throw ReIDError.data(path: record.path, reason: "no such file")
            }
            return try Image(contentsOf: record.path)
        }
    }

    /// Renders `list` with crops from `load` (a test can draw them instead of reading files).
    public func render(_ list: RankedList, query: [ImageRecord], gallery: [ImageRecord],
                       load: (ImageRecord) throws -> Image) throws -> Row {
        guard cropHeight > 0, cropWidth > 0, border >= 0, scale >= 1 else {
            throw ReIDError.invalidOption("ranked-list crops need a positive size and scale")
        }
        let s = scale
        let ch = cropHeight * s, cw = cropWidth * s, b = border * s
        let tileWidth = cw + 2 * b
        let gap = 6 * s, queryGap = 18 * s, margin = 8 * s
        let textScale = 0.4 * Double(s), thickness = max(1, s)
        let line = try Image.textSize("#10", scale: textScale, thickness: thickness)
        let lineHeight = line.height + line.descent + 4 * s
        let tileHeight = ch + 2 * b
        let height = margin + tileHeight + 4 * s + 2 * lineHeight + margin
        let width = 2 * margin + tileWidth * (1 + list.entries.count) + gap * max(0, list.entries.count - 1)
            + (list.entries.isEmpty ? 0 : queryGap)
        var canvas = Image(height: height, width: width, channels: 3, fill: 255)
        var unreadable: [String] = []
        var tiles: [(x: Int, y: Int, width: Int, height: Int)] = []
        let ink = Image.Color(hex: 0x1F2937), soft = Image.Color(hex: 0x4B5563)

        func tile(_ record: ImageRecord, x: Int, frame: Image.Color, lines: [(String, Image.Color)]) throws {
            try canvas.fillRectangle(x: x, y: margin, width: tileWidth, height: tileHeight, color: frame)
            tiles.append((x, margin, tileWidth, tileHeight))
            let crop: Image
            if let image = try? load(record) {
                crop = try image.resized(height: ch, width: cw)
            } else {
                unreadable.append(record.path)
                var grey = Image(height: ch, width: cw, channels: 3, fill: 200)
                try grey.drawLine(from: (0, 0), to: (Double(cw - 1), Double(ch - 1)), color: soft, thickness: s)
                try grey.drawLine(from: (Double(cw - 1), 0), to: (0, Double(ch - 1)), color: soft, thickness: s)
                crop = grey
            }
            try canvas.paste(crop, x: x + b, y: margin + b)
            var baseline = margin + tileHeight + 4 * s
            for (text, color) in lines {
                baseline += line.height + 2 * s
                let size = try Image.textSize(text, scale: textScale, thickness: thickness)
                try canvas.drawText(text, x: x + (tileWidth - size.width) / 2, y: baseline, scale: textScale,
                                    color: color, thickness: thickness)
                baseline += line.descent + 2 * s
            }
        }

        let q = query[list.queryIndex]
        try tile(q, x: margin, frame: Self.queryColor,
                 lines: [("query", Self.queryColor), (q.pid >= 0 ? "id \(q.pid)" : "id ?", soft)])
        var x = margin + tileWidth + queryGap
        for (rank, entry) in list.entries.enumerated() {
            let color = Self.borderColor(isMatch: entry.isMatch)
            try tile(gallery[entry.galleryIndex], x: x, frame: color,
                     lines: [("#\(rank + 1)", ink), (Self.format(entry.distance), soft)])
            x += tileWidth + gap
        }
        return Row(image: canvas, unreadable: unreadable, tiles: tiles)
    }

    /// Three decimals below 10, fewer above, so the label fits under a crop.
    static func format(_ d: Float) -> String {
        let v = Double(d)
        if !v.isFinite { return "\(v)" }
        return String(format: abs(v) < 10 ? "%.3f" : abs(v) < 1000 ? "%.1f" : "%.3g", v)
    }
}
