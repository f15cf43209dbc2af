/// One image of a re-ID dataset: where it is and, when known, who and which camera.
public struct ImageRecord: Sendable, Hashable, Codable {
    public var path: String
    /// Identity as the dataset names it; -1 when unknown (an unlabeled image), 0 for Market-1501
    /// distractors.
    public var pid: Int
    /// 0-based camera index; -1 when unknown.
    public var camera: Int
    /// Training class index 0..<P (the pid relabelled densely, in order of the original pids);
    /// -1 outside the training split and for unlabeled images.
    public var label: Int

    public init(path: String, pid: Int = -1, camera: Int = -1, label: Int = -1) {
        self.path = path
        self.pid = pid
        self.camera = camera
        self.label = label
    }

    /// The file name without folders.
    public var name: String { String(path.split(separator: "/").last ?? Substring(path)) }

    private enum CodingKeys: String, CodingKey { case path, pid, camera, label }

    /// Decodes records written before `label` existed (it then reads as -1).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        pid = try c.decodeIfPresent(Int.self, forKey: .pid) ?? -1
        camera = try c.decodeIfPresent(Int.self, forKey: .camera) ?? -1
        label = try c.decodeIfPresent(Int.self, forKey: .label) ?? -1
    }
}
