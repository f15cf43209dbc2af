import Foundation
import Torch

/// A contact sheet of a video's tracks for checking them by eye: one row per track (up to
/// `maxTracks`), `perTrack` crops spread evenly along it, each scaled to one cell size.
public enum TrackletMontage {
    public static func write(videoFolder: String, to path: String, maxTracks: Int = 20, perTrack: Int = 8,
                             cellHeight: Int = 96, cellWidth: Int = 48) throws {
        let data = try SingleCameraData(root: (videoFolder as NSString).deletingLastPathComponent)
        let name = (videoFolder as NSString).lastPathComponent
        guard let video = data.videos.firstIndex(of: name) else {
            throw ReIDError.data(path: videoFolder, reason: "is not a video folder of crops")
        }
        var tracks: [Int: [String]] = [:]
        for (record, track) in zip(data.records, data.tracks) where record.camera == video {
            tracks[track, default: []].append(record.path)
        }
        let rows = tracks.keys.sorted().prefix(maxTracks)
        let gap = 2
        var sheet = Image(height: rows.count * (cellHeight + gap), width: perTrack * (cellWidth + gap), fill: 255)
        for (r, track) in rows.enumerated() {
            let paths = tracks[track]!
            let picks = (0..<min(perTrack, paths.count)).map { paths[$0 * paths.count / min(perTrack, paths.count)] }
            for (c, file) in picks.enumerated() {
                let cell = try Image(contentsOf: file).resized(height: cellHeight, width: cellWidth)
                let x0 = c * (cellWidth + gap), y0 = r * (cellHeight + gap)
                for y in 0..<cellHeight {
                    let from = y * cellWidth * 3, to = ((y0 + y) * sheet.width + x0) * 3
                    sheet.pixels.replaceSubrange(to..<(to + cellWidth * 3), with: cell.pixels[from..<(from + cellWidth * 3)])
                }
            }
        }
        try sheet.write(to: path)
    }
}
