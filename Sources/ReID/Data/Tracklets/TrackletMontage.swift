import Foundation
import Torch

/// Contact sheets of a video's tracklets, one row per track (`perTrack` crops spread over the
/// track), for checking by eye whether a track switches person. A video with more tracks than
/// fit one sheet gets several: `tracks.png`, `tracks-2.png`, … so that every track is shown at a
/// size a person can judge.
public enum TrackletMontage {
    /// Writes the sheets and returns their paths, the first being `path` itself.
    @discardableResult
    public static func write(videoFolder: String, to path: String, tracksPerSheet: Int = 20, perTrack: Int = 8,
                             cellHeight: Int = 96, cellWidth: Int = 48) throws -> [String] {
        guard tracksPerSheet > 0, perTrack > 0 else {
            throw ReIDError.invalidOption("a contact sheet needs at least one track and one crop per track")
        }
        let data = try SingleCameraData(root: (videoFolder as NSString).deletingLastPathComponent)
        let name = (videoFolder as NSString).lastPathComponent
        guard let video = data.videos.firstIndex(of: name) else {
            throw ReIDError.data(path: videoFolder, reason: "is not a video folder of crops")
        }
        var tracks: [Int: [String]] = [:]
        for (record, track) in zip(data.records, data.tracks) where record.camera == video {
            tracks[track, default: []].append(record.path)
        }
        let ordered = tracks.keys.filter { $0 >= 0 }.sorted()
        guard !ordered.isEmpty else {
            throw ReIDError.data(path: videoFolder, reason: "holds no track folders; contact sheets need VIDEO/<track>/<frame>.jpg as `reid tracklets` writes it")
        }
        var written: [String] = []
        for (page, start) in stride(from: 0, to: ordered.count, by: tracksPerSheet).enumerated() {
            let rows = ordered[start..<min(start + tracksPerSheet, ordered.count)].map { tracks[$0]! }
            let file = sheetPath(path, page: page)
            try sheet(rows: rows, perTrack: perTrack, cellHeight: cellHeight, cellWidth: cellWidth).write(to: file)
            written.append(file)
        }
        return written
    }

    /// `path` for the first sheet, `stem-N.ext` for the N-th (N ≥ 2).
    public static func sheetPath(_ path: String, page: Int) -> String {
        guard page > 0 else { return path }
        let ext = (path as NSString).pathExtension
        let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        return stem + "-\(page + 1)" + (ext.isEmpty ? "" : "." + ext)
    }

    static func sheet(rows: [[String]], perTrack: Int, cellHeight: Int, cellWidth: Int) throws -> Image {
        let gap = 2
        var sheet = Image(height: rows.count * (cellHeight + gap), width: perTrack * (cellWidth + gap), fill: 255)
        for (r, paths) in rows.enumerated() {
            let shown = min(perTrack, paths.count)
            let picks = (0..<shown).map { paths[$0 * paths.count / shown] }
            for (c, file) in picks.enumerated() {
                let cell = try Image(contentsOf: file).resized(height: cellHeight, width: cellWidth)
                try sheet.paste(cell, x: c * (cellWidth + gap), y: r * (cellHeight + gap))
            }
        }
        return sheet
    }
}
