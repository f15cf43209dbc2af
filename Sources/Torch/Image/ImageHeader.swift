import Foundation

/// The size and format of an encoded image read from its header alone (a few hundred bytes),
/// without decoding the pixels. It is the guard in front of every decode: a 1 MB PNG can declare
/// 30000×30000 pixels and make OpenCV allocate gigabytes, so the declared size is checked against
/// `ImageLimits.maxPixels` before any decoder sees the bytes (`Image(contentsOf:)`,
/// `Image(encoded:)`, `ImageLoading.loadNormalized`).
///
/// Formats: JPEG, PNG, BMP, WebP, TIFF and PNM (PBM/PGM/PPM/PAM), the ones Debian's OpenCV 4.6
/// decodes and whose size sits in a fixed header. Anything else is refused, since its size (and
/// so the memory a decode takes) cannot be known in advance.
public struct ImageHeader: Sendable, Equatable {
    public enum Format: String, Sendable { case jpeg, png, bmp, webp, tiff, pnm }
    public var format: Format
    public var width: Int
    public var height: Int

    /// width × height.
    public var pixels: Int { width * height }

    public init(format: Format, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// Reads the header of `path`; the error names the file and says what is wrong.
    public init(contentsOf path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TorchError.file(path: path, reason: "cannot open the file (missing or no permission)")
        }
        defer { try? handle.close() }
        do {
            self = try Self.parse { offset, count in
                guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return [] }
                return [UInt8](handle.readData(ofLength: count))
            }
        } catch let HeaderProblem.invalid(reason) {
            throw TorchError.file(path: path, reason: reason)
        }
    }

    /// Reads the header of encoded bytes (an upload); the error says what is wrong.
    public init(bytes: Data) throws {
        do {
            self = try Self.parse { offset, count in
                guard offset >= 0, offset < bytes.count else { return [] }
                let start = bytes.startIndex + offset
                return [UInt8](bytes[start..<min(bytes.endIndex, start + count)])
            }
        } catch let HeaderProblem.invalid(reason) {
            throw TorchError.invalidArgument("the image " + reason)
        }
    }

    /// Throws `ImageTooLarge` when the header declares more than `maxPixels` pixels.
    public func requireAtMost(_ maxPixels: Int, source: String) throws {
        guard pixels <= maxPixels else {
            throw ImageTooLarge(source: source, width: width, height: height, maxPixels: maxPixels)
        }
    }

    enum HeaderProblem: Error { case invalid(String) }

    /// `read(offset, count)` returns up to `count` bytes at `offset` (fewer at the end).
    static func parse(_ read: (Int, Int) -> [UInt8]) throws -> ImageHeader {
        func fail(_ reason: String) -> HeaderProblem { .invalid(reason) }
        let head = read(0, 64)
        guard !head.isEmpty else { throw fail("is empty, not an image") }
        let header: ImageHeader
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // PNG: the IHDR chunk comes first; width and height are big-endian at 16 and 20.
            guard head.count >= 24, head[12..<16].elementsEqual(Array("IHDR".utf8)) else {
                throw fail("is a PNG without its IHDR header chunk")
            }
            header = ImageHeader(format: .png, width: be32(head, 16), height: be32(head, 20))
        } else if head.count >= 2 && head[0] == 0x42 && head[1] == 0x4D {
            // BMP: BITMAPINFOHEADER width and height (signed; a negative height is top-down) at 18 and 22;
            // the old 12-byte BITMAPCOREHEADER has 16-bit sizes at 18 and 20.
            guard head.count >= 26 else { throw fail("is a BMP cut short inside its header") }
            if le32(head, 14) == 12 {
                header = ImageHeader(format: .bmp, width: le16(head, 18), height: le16(head, 20))
            } else {
                let w = Int(Int32(bitPattern: UInt32(le32(head, 18)))), h = Int(Int32(bitPattern: UInt32(le32(head, 22))))
                header = ImageHeader(format: .bmp, width: w, height: h == Int(Int32.min) ? -1 : abs(h))
            }
        } else if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF {
            header = try jpeg(read)
        } else if head.count >= 12 && head.starts(with: Array("RIFF".utf8)) && head[8..<12].elementsEqual(Array("WEBP".utf8)) {
            header = try webp(head)
        } else if head.count >= 8 && (head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A])) {
            header = try tiff(read, littleEndian: head[0] == 0x49)
        } else if head.count >= 2 && head[0] == 0x50 && (0x31...0x37).contains(head[1]) {
            header = try pnm(read(0, 1024))
        } else {
            let start = head.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw fail("is not a JPEG, PNG, BMP, WebP, TIFF or PNM image (it starts with bytes \(start))")
        }
        guard header.width > 0 && header.height > 0 else {
            throw fail("header gives an empty image (\(header.width)x\(header.height))")
        }
        return header
    }

    /// Walks the JPEG marker segments up to the start-of-frame, which holds the size.
    static func jpeg(_ read: (Int, Int) -> [UInt8]) throws -> ImageHeader {
        var offset = 2
        for _ in 0..<1024 {
            let marker = read(offset, 4)
            guard marker.count == 4 else { throw HeaderProblem.invalid("is a JPEG that ends before its frame header (truncated file)") }
            guard marker[0] == 0xFF else {
                throw HeaderProblem.invalid("is a JPEG whose header is corrupt (expected a marker at byte \(offset))")
            }
            let code = marker[1]
            if code == 0xFF { offset += 1; continue }                  // fill byte
            if code == 0xD8 || (0xD0...0xD7).contains(code) || code == 0x01 { offset += 2; continue }
            let length = Int(marker[2]) << 8 | Int(marker[3])
            guard length >= 2 else { throw HeaderProblem.invalid("is a JPEG whose header is corrupt (segment length \(length))") }
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry precision, height, width.
            if (0xC0...0xCF).contains(code) && ![0xC4, 0xC8, 0xCC].contains(code) {
                let frame = read(offset + 4, 5)
                guard frame.count == 5 else { throw HeaderProblem.invalid("is a JPEG that ends inside its frame header (truncated file)") }
                return ImageHeader(format: .jpeg, width: Int(frame[3]) << 8 | Int(frame[4]),
                                   height: Int(frame[1]) << 8 | Int(frame[2]))
            }
            if code == 0xDA || code == 0xD9 { throw HeaderProblem.invalid("is a JPEG with no frame header before its image data") }
            offset += 2 + length
        }
        throw HeaderProblem.invalid("is a JPEG whose header is corrupt (too many segments before the frame header)")
    }

    /// WebP: the first chunk after "RIFF....WEBP" is VP8 (lossy), VP8L (lossless) or VP8X (extended).
    static func webp(_ head: [UInt8]) throws -> ImageHeader {
        guard head.count >= 30 else { throw HeaderProblem.invalid("is a WebP cut short inside its header") }
        let chunk = String(decoding: head[12..<16], as: UTF8.self)
        switch chunk {
        case "VP8 ":
            // Key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height.
            guard head[23] == 0x9D, head[24] == 0x01, head[25] == 0x2A else {
                throw HeaderProblem.invalid("is a WebP whose VP8 frame header is corrupt")
            }
            return ImageHeader(format: .webp, width: le16(head, 26) & 0x3FFF, height: le16(head, 28) & 0x3FFF)
        case "VP8L":
            guard head[20] == 0x2F else { throw HeaderProblem.invalid("is a WebP whose VP8L header is corrupt") }
            let bits = le32(head, 21)
            return ImageHeader(format: .webp, width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            let w = Int(head[24]) | Int(head[25]) << 8 | Int(head[26]) << 16
            let h = Int(head[27]) | Int(head[28]) << 8 | Int(head[29]) << 16
            return ImageHeader(format: .webp, width: w + 1, height: h + 1)
        default:
            throw HeaderProblem.invalid("is a WebP with an unknown first chunk '\(chunk)'")
        }
    }

    /// TIFF: the first image file directory's ImageWidth (256) and ImageLength (257) tags.
    static func tiff(_ read: (Int, Int) -> [UInt8], littleEndian: Bool) throws -> ImageHeader {
        func u16(_ b: [UInt8], _ i: Int) -> Int { littleEndian ? le16(b, i) : Int(b[i]) << 8 | Int(b[i + 1]) }
        func u32(_ b: [UInt8], _ i: Int) -> Int { littleEndian ? le32(b, i) : be32(b, i) }
        let start = read(0, 8)
        guard start.count == 8 else { throw HeaderProblem.invalid("is a TIFF cut short inside its header") }
        let ifd = u32(start, 4)
        let countBytes = read(ifd, 2)
        guard countBytes.count == 2 else { throw HeaderProblem.invalid("is a TIFF whose directory offset \(ifd) is outside the file") }
        let entries = min(u16(countBytes, 0), 4096)
        let table = read(ifd + 2, entries * 12)
        guard table.count == entries * 12 else { throw HeaderProblem.invalid("is a TIFF whose first directory is cut short") }
        var width = 0, height = 0
        for e in 0..<entries {
            let base = e * 12
            let tag = u16(table, base), type = u16(table, base + 2)
            guard tag == 256 || tag == 257 else { continue }
            let value = type == 3 ? u16(table, base + 8) : u32(table, base + 8)   // SHORT or LONG
            if tag == 256 { width = value } else { height = value }
        }
        guard width > 0, height > 0 else { throw HeaderProblem.invalid("is a TIFF without its image width and length tags") }
        return ImageHeader(format: .tiff, width: width, height: height)
    }

    /// PNM: "P1"…"P6" then width and height as decimal text (comments start with #); PAM ("P7")
    /// has WIDTH and HEIGHT lines.
    static func pnm(_ head: [UInt8]) throws -> ImageHeader {
        let text = String(decoding: head, as: UTF8.self)
        if head[1] == 0x37 {
            var width = 0, height = 0
            for line in text.split(whereSeparator: \.isNewline).prefix(32) {
                let words = line.split(separator: " ")
                guard words.count == 2, let v = Int(words[1]), v >= 0 else { continue }
                if words[0] == "WIDTH" { width = v } else if words[0] == "HEIGHT" { height = v }
            }
            return ImageHeader(format: .pnm, width: width, height: height)
        }
        var numbers: [Int] = []
        var cursor = text.index(text.startIndex, offsetBy: 2)
        while numbers.count < 2, cursor < text.endIndex {
            let c = text[cursor]
            if c == "#" {
                cursor = text[cursor...].firstIndex(where: \.isNewline) ?? text.endIndex
            } else if c.isNumber {
                let end = text[cursor...].firstIndex { !$0.isNumber } ?? text.endIndex
                guard let v = Int(text[cursor..<end]) else {
                    throw HeaderProblem.invalid("is a PNM whose size is not a number")
                }
                numbers.append(v)
                cursor = end
            } else if c.isWhitespace {
                cursor = text.index(after: cursor)
            } else {
                throw HeaderProblem.invalid("is a PNM whose header is corrupt")
            }
        }
        guard numbers.count == 2 else { throw HeaderProblem.invalid("is a PNM cut short inside its header") }
        return ImageHeader(format: .pnm, width: numbers[0], height: numbers[1])
    }

    static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    static func le32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i + 3]) << 24 | Int(b[i + 2]) << 16 | Int(b[i + 1]) << 8 | Int(b[i]) }
    static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i + 1]) << 8 | Int(b[i]) }
}

/// An image whose header declares more pixels than the limit allows; nothing was decoded.
public struct ImageTooLarge: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var width: Int
    public var height: Int
    public var maxPixels: Int

    public var description: String {
        "\(source): the image declares \(width)x\(height) pixels (\(Self.megapixels(width * height))), "
            + "more than the limit of \(Self.megapixels(maxPixels)); shrink it, or raise the limit "
            + "(REID_MAX_PIXELS, or --max-pixels for `reid serve`)"
    }

    static func megapixels(_ n: Int) -> String { String(format: "%.1f MP", Double(n) / 1e6) }
}

/// Process-wide limits on what a decode may allocate.
public enum ImageLimits {
    /// The most pixels one image may declare before it is decoded: 20 megapixels unless
    /// `REID_MAX_PIXELS` or `reid serve --max-pixels` says otherwise. Person crops and video
    /// frames are far smaller; the limit exists so a hostile header cannot exhaust memory.
    public static var maxPixels: Int {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    public static let defaultMaxPixels = 20_000_000

    private static let lock = NSLock()
    nonisolated(unsafe) private static var stored =
        ProcessInfo.processInfo.environment["REID_MAX_PIXELS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
            ?? defaultMaxPixels
}
