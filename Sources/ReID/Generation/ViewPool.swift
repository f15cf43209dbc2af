/// Every image a view-using PPLR run may load, indexed as the trainer's batches index it:
/// the dataset's training originals first (same indices), then their views, then (for
/// mesh-combine) one masked copy per original.
public struct ViewPool: Sendable {
    public enum Kind: Equatable, Sendable { case original, view(angle: Int), masked }

    public private(set) var records: [ImageRecord]
    /// The original each entry shows.
    public private(set) var origin: [Int]
    public private(set) var kinds: [Kind]
    public let originals: Int
    /// Per original: angle → pool index of that view.
    public private(set) var viewIndex: [[Int: Int]]
    /// Per original: pool index of its masked copy.
    public private(set) var maskedIndex: [Int?]

    /// The originals plus every view `viewSet` has of them at `angles` (empty: all its angles).
    /// Views keep their original's pid and camera (for cluster statistics and camera-aware sampling).
    public init(originals: [ImageRecord], viewSet: ViewSet?, angles: [Int] = []) {
        records = originals
        origin = Array(originals.indices)
        kinds = Array(repeating: .original, count: originals.count)
        self.originals = originals.count
        viewIndex = Array(repeating: [:], count: originals.count)
        maskedIndex = Array(repeating: nil, count: originals.count)
        guard let viewSet else { return }
        let use = angles.isEmpty ? viewSet.angles : angles
        for (i, original) in originals.enumerated() {
            for angle in use {
                guard let path = viewSet.view(of: original.name, angle: angle) else { continue }
                viewIndex[i][angle] = records.count
                records.append(ImageRecord(path: path, pid: original.pid, camera: original.camera, label: original.label))
                origin.append(i)
                kinds.append(.view(angle: angle))
            }
        }
    }

    /// Adds (or re-points) the masked copy of original `i`.
    public mutating func setMasked(_ i: Int, path: String) {
        if let existing = maskedIndex[i] {
            records[existing].path = path
            return
        }
        let o = records[i]
        maskedIndex[i] = records.count
        records.append(ImageRecord(path: path, pid: o.pid, camera: o.camera, label: o.label))
        origin.append(i)
        kinds.append(.masked)
    }

    /// Angles that original `i` has views for, ascending.
    public func angles(of i: Int) -> [Int] { viewIndex[i].keys.sorted() }

    /// Pool indices of `k` views of each original, taken from `angles` in order, starting at a
    /// different angle for consecutive originals so every angle is used about equally.
    public func views(perImage k: Int, angles: [Int]) -> [Int] {
        guard k > 0, !angles.isEmpty else { return [] }
        var out: [Int] = []
        for i in 0..<originals {
            let have = angles.filter { viewIndex[i][$0] != nil }
            guard !have.isEmpty else { continue }
            for j in 0..<min(k, have.count) { out.append(viewIndex[i][have[(i + j) % have.count]]!) }
        }
        return out
    }

    /// Pool indices of the views of every original at `angles`.
    public func views(at angles: [Int]) -> [Int] {
        (0..<originals).flatMap { i in angles.compactMap { viewIndex[i][$0] } }
    }
}
