/// Bounds-checked little-endian reads from a byte buffer. A read past the end returns nil
/// instead of trapping, so callers can turn truncation into an error naming the offset.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }
    var atEnd: Bool { offset >= bytes.count }

    /// The next `count` bytes, advancing past them; nil (not advancing) when fewer are left.
    mutating func take(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, offset >= 0, count <= remaining else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    mutating func uint8() -> UInt8? { take(1).map { $0[0] } }
    mutating func uint16() -> UInt16? { integer(UInt16.self) }
    mutating func uint32() -> UInt32? { integer(UInt32.self) }
    mutating func uint64() -> UInt64? { integer(UInt64.self) }
    mutating func int32() -> Int32? { integer(Int32.self) }

    mutating func integer<I: FixedWidthInteger>(_ type: I.Type) -> I? {
        take(MemoryLayout<I>.size).map { I(littleEndian: $0.loadUnaligned(as: I.self)) }
    }

    /// Bytes up to (not including) the next newline, advancing past the newline.
    mutating func line() -> UnsafeRawBufferPointer? {
        guard offset >= 0, offset < bytes.count else { return nil }
        var end = offset
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        guard end < bytes.count else { return nil }
        defer { offset = end + 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
    }
}
