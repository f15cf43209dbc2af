import Foundation
import Torch

/// Single-camera training data from a MOT-challenge sequence's ground truth: `gt/gt.txt` rows
/// `frame, id, left, top, width, height, flag, class, visibility` (frames from 1), frames in
/// `img1/` (or seqinfo.ini's imDir/imExt). Rows with flag 0 (ignored regions) and, when a class
/// column is present, classes other than 1 (pedestrian) are skipped. Tracks are then filtered
/// and written as `VideoTracklets` does, one folder per ground-truth id.
public enum MOTTracklets {
    public static func extract(sequence root: String, out: String, options: TrackletOptions = TrackletOptions(),
                               quiet: Bool = false) throws -> TrackletSummary {
        let started = Date()
        let root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        let gtPath = root + "/gt/gt.txt"
        guard let text = try? String(contentsOfFile: gtPath, encoding: .utf8) else {
            throw ReIDError.data(path: gtPath, reason: "missing or unreadable; --mot takes a MOT sequence folder with gt/gt.txt and img1/")
        }
        let (imageDir, imageExt) = seqinfo(root)
        var byID: [Int: [(frame: Int, box: DetectionBox)]] = [:]
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let cols = line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard cols.count >= 6, cols.prefix(6).allSatisfy({ $0 != nil }) else {
                throw ReIDError.data(path: gtPath, reason: "line \(n + 1) is not 'frame,id,left,top,width,height,…'")
            }
            if cols.count >= 7, cols[6] == 0 { continue }
            if cols.count >= 8, let c = cols[7], c >= 0, c != 1 { continue }
            let box = DetectionBox(x: cols[2]!, y: cols[3]!, width: cols[4]!, height: cols[5]!)
            byID[Int(cols[1]!), default: []].append((Int(cols[0]!), box))
        }
        let name = (root as NSString).lastPathComponent
        var summary = TrackletSummary(video: name)
        summary.linkedBy = "ground truth"
        let ids = byID.keys.sorted()
        summary.tracksFound = ids.count
        summary.detections = byID.values.reduce(0) { $0 + $1.count }
        let keptIDs = options.filter(ids, boxes: { byID[$0]!.map(\.box) }, summary: &summary)
        // Frame → (track number, box) for the kept tracks.
        var perFrame: [Int: [(track: Int, box: DetectionBox)]] = [:]
        for (n, id) in keptIDs.enumerated() {
            for (frame, box) in byID[id]! { perFrame[frame, default: []].append((n, box)) }
        }
        let writer = try TrackletWriter(out: out, video: name)
        let frames = perFrame.keys.sorted()
        let progress = Progress(total: frames.count, label: "cropping \(name)", unit: "frames", quiet: quiet)
        for frame in frames {
            let path = String(format: "%@/%@/%06d%@", root, imageDir, frame, imageExt)
            let image = try Image(contentsOf: path)
            for (track, box) in perFrame[frame]! {
                try writer.write(image, box: box, track: track, frame: frame)
            }
            progress.advance(1)
        }
        summary.frames = frames.count
        summary.kept = keptIDs.map { byID[$0]!.count }
        try writer.finish()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// imDir and imExt from seqinfo.ini, defaulting to img1 and .jpg.
    static func seqinfo(_ root: String) -> (String, String) {
        var dir = "img1", ext = ".jpg"
        if let text = try? String(contentsOfFile: root + "/seqinfo.ini", encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                if parts[0] == "imDir" { dir = parts[1] }
                if parts[0] == "imExt" { ext = parts[1] }
            }
        }
        return (dir, ext)
    }
}
