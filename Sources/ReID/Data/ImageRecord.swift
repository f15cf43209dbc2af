/// One image of a re-ID dataset: where it is and, when known, who and which camera.
public struct ImageRecord: Sendable, Hashable, Codable {
    public var path: String
    /// Identity; -1 when unknown (an unlabeled image), 0 for Market-1501 distractors.
    public var pid: Int
    /// 0-based camera index; -1 when unknown.
    public var camera: Int

    public init(path: String, pid: Int = -1, camera: Int = -1) {
        self.path = path
        self.pid = pid
        self.camera = camera
    }

    /// The file name without folders.
    public var name: String { String(path.split(separator: "/").last ?? Substring(path)) }
}
