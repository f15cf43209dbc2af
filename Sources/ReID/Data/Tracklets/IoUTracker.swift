import Torch

/// Links per-frame person boxes into tracks by overlap: in each frame, the (track, box) pairs
/// are matched greedily from the highest IoU down, a pair needs at least `minIoU`, a box left
/// over starts a new track, and a track not matched for more than `maxGap` frames ends.
/// Simple on purpose: single-camera pedestrian video moves little between frames.
public struct IoUTracker: Sendable {
    public var minIoU: Double
    public var maxGap: Int

    public struct Track: Sendable, Equatable {
        public var id: Int
        /// (frame index, box), in frame order.
        public var boxes: [(frame: Int, box: DetectionBox)]

        public static func == (a: Track, b: Track) -> Bool {
            a.id == b.id && a.boxes.map(\.frame) == b.boxes.map(\.frame) && a.boxes.map(\.box) == b.boxes.map(\.box)
        }
    }

    private var open: [Track] = []
    private var closed: [Track] = []
    private var nextID = 0

    public init(minIoU: Double = 0.3, maxGap: Int = 5) {
        self.minIoU = minIoU
        self.maxGap = maxGap
    }

    /// Adds the boxes of frame `frame` (frames must come in increasing order).
    public mutating func update(frame: Int, boxes: [DetectionBox]) {
        closed += open.filter { frame - $0.boxes.last!.frame > maxGap }
        open.removeAll { frame - $0.boxes.last!.frame > maxGap }
        var pairs: [(iou: Double, track: Int, box: Int)] = []
        for (t, track) in open.enumerated() {
            let last = track.boxes.last!.box
            for (b, box) in boxes.enumerated() {
                let overlap = last.iou(box)
                if overlap >= minIoU { pairs.append((overlap, t, b)) }
            }
        }
        pairs.sort { $0.iou > $1.iou }
        var usedTracks = Set<Int>(), usedBoxes = Set<Int>()
        for pair in pairs where !usedTracks.contains(pair.track) && !usedBoxes.contains(pair.box) {
            usedTracks.insert(pair.track)
            usedBoxes.insert(pair.box)
            open[pair.track].boxes.append((frame, boxes[pair.box]))
        }
        for (b, box) in boxes.enumerated() where !usedBoxes.contains(b) {
            open.append(Track(id: nextID, boxes: [(frame, box)]))
            nextID += 1
        }
    }

    /// Every track so far (open ones included), ordered by id.
    public var tracks: [Track] { (closed + open).sorted { $0.id < $1.id } }
}
