import Torch

/// Links per-frame person boxes into tracks by motion and appearance, as DeepSORT-style trackers do,
/// so that two people who cross do not swap tracks.
///
/// Each frame, in two stages:
/// 1. **Motion and appearance.** A track's box is predicted at constant velocity from its last two
///    boxes. A (track, box) pair is a candidate when the box overlaps the prediction by at least
///    `minIoU` (motion gate) and its embedding lies within `maxAppearanceDistance` (cosine distance)
///    of the track's appearance (appearance gate). Pairs are matched greedily from the lowest cost
///    `appearanceWeight · d_cos + (1 − appearanceWeight) · (1 − IoU)` up.
/// 2. **Re-finding lost tracks.** A track missed for one detected frame or more, and a box left over, are
///    linked by appearance alone (within `maxAppearanceDistance / 2`, a stricter gate because
///    motion no longer vouches for it) when the box's centre lies within `maxJump` box heights of
///    the track's last centre per detected frame since. These are the tracks IoU linking would have ended
///    (an occlusion) and counted as `merged`.
///
/// A track's appearance is the exponential moving average (`momentum`) of its L2-normalised
/// embeddings, as JDE/FairMOT keep it, so one bad crop does not redefine it.
/// `split` counts the links the overlap-only linker (`IoUTracker`: same `minIoU` against the last
/// box, greedy) would have made this frame but the appearance gate refused: the places where it
/// would have swapped or joined two people.
public struct AppearanceTracker: Sendable {
    public var minIoU: Double
    public var maxGap: Int
    public var maxAppearanceDistance: Double
    public var appearanceWeight: Double
    public var momentum: Double
    public var maxJump: Double
    /// Frames between two detected frames (a video detected on every 2nd frame: 2), so that a
    /// track counts as missed only when a detected frame passed without it.
    public var frameStep: Int

    public struct Track: Sendable {
        public var id: Int
        /// (frame index, box), in frame order.
        public var boxes: [(frame: Int, box: DetectionBox)]
        /// The L2-normalised moving average of its embeddings.
        public var appearance: [Float]
    }

    /// Links refused by appearance that overlap alone would have made.
    public private(set) var split = 0
    /// Lost tracks re-found by appearance after a miss.
    public private(set) var merged = 0

    private var open: [Track] = []
    private var closed: [Track] = []
    private var nextID = 0

    public init(minIoU: Double = 0.3, maxGap: Int = 5, maxAppearanceDistance: Double = 0.4,
                appearanceWeight: Double = 0.5, momentum: Double = 0.9, maxJump: Double = 0.5, frameStep: Int = 1) {
        self.minIoU = minIoU
        self.maxGap = maxGap
        self.maxAppearanceDistance = maxAppearanceDistance
        self.appearanceWeight = appearanceWeight
        self.momentum = momentum
        self.maxJump = maxJump
        self.frameStep = max(frameStep, 1)
    }

    /// Adds the boxes of frame `frame` (frames in increasing order) with one embedding per box.
    public mutating func update(frame: Int, boxes: [DetectionBox], embeddings: [[Float]]) throws {
        guard boxes.count == embeddings.count else {
            throw ReIDError.invalidOption("AppearanceTracker: \(boxes.count) boxes but \(embeddings.count) embeddings")
        }
        let features = embeddings.map(Self.normalised)
        closed += open.filter { frame - $0.boxes.last!.frame > maxGap }
        open.removeAll { frame - $0.boxes.last!.frame > maxGap }

        var pairs: [(cost: Double, track: Int, box: Int)] = []
        var overlapOnly: [(cost: Double, track: Int, box: Int)] = []
        var distances: [[Double]] = []
        for (t, track) in open.enumerated() {
            let predicted = Self.predicted(track, at: frame)
            let last = track.boxes.last!.box
            distances.append(features.map { Self.cosineDistance(track.appearance, $0) })
            for (b, box) in boxes.enumerated() {
                if last.iou(box) >= minIoU { overlapOnly.append((-last.iou(box), t, b)) }
                let overlap = predicted.iou(box)
                guard overlap >= minIoU, distances[t][b] <= maxAppearanceDistance else { continue }
                pairs.append((appearanceWeight * distances[t][b] + (1 - appearanceWeight) * (1 - overlap), t, b))
            }
        }
        split += Self.greedy(overlapOnly).filter { distances[$0.track][$0.box] > maxAppearanceDistance }.count
        var usedTracks = Set<Int>(), usedBoxes = Set<Int>()
        for pair in Self.greedy(pairs) {
            usedTracks.insert(pair.track)
            usedBoxes.insert(pair.box)
            append(frame, boxes[pair.box], features[pair.box], to: pair.track)
        }

        var lost: [(cost: Double, track: Int, box: Int)] = []
        for (t, track) in open.enumerated() where !usedTracks.contains(t) && frame - track.boxes.last!.frame > frameStep {
            let last = track.boxes.last!.box
            let reach = maxJump * last.height * Double(frame - track.boxes.last!.frame) / Double(frameStep)
            for (b, box) in boxes.enumerated() where !usedBoxes.contains(b) {
                guard distances[t][b] <= maxAppearanceDistance / 2, Self.centreDistance(last, box) <= reach else { continue }
                lost.append((distances[t][b], t, b))
            }
        }
        for pair in Self.greedy(lost) {
            usedBoxes.insert(pair.box)
            append(frame, boxes[pair.box], features[pair.box], to: pair.track)
            merged += 1
        }

        for (b, box) in boxes.enumerated() where !usedBoxes.contains(b) {
            open.append(Track(id: nextID, boxes: [(frame, box)], appearance: features[b]))
            nextID += 1
        }
    }

    /// Every track so far (open ones included), ordered by id, as the overlap tracker gives them.
    public var tracks: [IoUTracker.Track] {
        (closed + open).sorted { $0.id < $1.id }.map { IoUTracker.Track(id: $0.id, boxes: $0.boxes) }
    }

    private mutating func append(_ frame: Int, _ box: DetectionBox, _ feature: [Float], to t: Int) {
        open[t].boxes.append((frame, box))
        let m = Float(momentum)
        open[t].appearance = Self.normalised(zip(open[t].appearance, feature).map { m * $0 + (1 - m) * $1 })
    }

    /// The pairs taken from the lowest cost up, each track and box at most once.
    static func greedy(_ pairs: [(cost: Double, track: Int, box: Int)]) -> [(cost: Double, track: Int, box: Int)] {
        var usedTracks = Set<Int>(), usedBoxes = Set<Int>(), taken: [(cost: Double, track: Int, box: Int)] = []
        for pair in pairs.sorted(by: { $0.cost < $1.cost })
        where !usedTracks.contains(pair.track) && !usedBoxes.contains(pair.box) {
            usedTracks.insert(pair.track)
            usedBoxes.insert(pair.box)
            taken.append(pair)
        }
        return taken
    }

    /// The track's box moved on at the velocity of its last two boxes (its last box if it has one).
    static func predicted(_ track: Track, at frame: Int) -> DetectionBox {
        let (lastFrame, last) = track.boxes.last!
        guard track.boxes.count >= 2 else { return last }
        let (previousFrame, previous) = track.boxes[track.boxes.count - 2]
        let steps = Double(frame - lastFrame) / Double(max(lastFrame - previousFrame, 1))
        return DetectionBox(x: last.x + steps * (last.x - previous.x), y: last.y + steps * (last.y - previous.y),
                            width: last.width, height: last.height, score: last.score)
    }

    static func centreDistance(_ a: DetectionBox, _ b: DetectionBox) -> Double {
        let dx = (a.x + a.width / 2) - (b.x + b.width / 2), dy = (a.y + a.height / 2) - (b.y + b.height / 2)
        return (dx * dx + dy * dy).squareRoot()
    }

    static func normalised(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    /// 1 − cosine of two L2-normalised vectors.
    static func cosineDistance(_ a: [Float], _ b: [Float]) -> Double {
        Double(1 - zip(a, b).reduce(0) { $0 + $1.0 * $1.1 })
    }
}
