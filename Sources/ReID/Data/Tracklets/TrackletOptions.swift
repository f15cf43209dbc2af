import Torch

/// What `reid tracklets` keeps: tracks long enough and people tall enough to re-identify.
public struct TrackletOptions: Sendable {
    /// A track needs at least this many crops.
    public var minLength = 10
    /// Its median box height must be at least this many pixels.
    public var minHeight = 64.0
    /// Tracking (video only): least IoU to continue a track, frames a track may miss.
    public var minIoU = 0.3
    public var maxGap = 5
    /// Tracking by appearance (video with a re-ID model): the largest cosine distance between a
    /// track's appearance and a new box's embedding that may continue the track.
    public var maxAppearanceDistance = 0.4
    /// Video only: detect on every `frameStep`-th frame; stop after `maxFrames` frames (0: all).
    public var frameStep = 1
    public var maxFrames = 0
    /// The HOG detector's settings (video only).
    public var detector = HOGPeopleDetector()
    /// Shrink HOG boxes to the person: the detector's 64×128 window has a margin around the
    /// body (OpenCV's peopledetect sample shrinks by the same fractions).
    public var tightenBoxes = true

    public init() {}
}
