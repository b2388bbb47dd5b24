using System.Buffers.Binary;
using System.Text;

namespace Chat.Tests.Telemetry;

/// <summary>
/// Reads the protobuf wire format field by field: just enough to decode OTLP requests without generated code
/// (OpenTelemetry.Proto is not on NuGet). Unknown fields are skipped, as protobuf requires.
/// </summary>
ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    readonly ReadOnlySpan<byte> _data = data;
    int _position;

    public int FieldNumber { get; private set; }

    public int WireType { get; private set; }

    /// <summary>Moves to the next field; <see langword="false"/> at the end of the message.</summary>
    public bool Next()
    {
        if (_position >= _data.Length)
        {
            return false;
        }

        var tag = ReadRawVarint();
        FieldNumber = (int)(tag >> 3);
        WireType = (int)(tag & 7);
        if (FieldNumber == 0)
        {
            throw new FormatException("Field number 0 is not valid protobuf.");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        Expect(Varint);
        return ReadRawVarint();
    }

    public ulong ReadFixed64()
    {
        Expect(Fixed64);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)ReadFixed64());

    /// <summary>The bytes of a length-delimited field: an embedded message, a string or bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        Expect(LengthDelimited);
        var length = checked((int)ReadRawVarint());
        var bytes = _data.Slice(_position, length);
        _position += length;
        return bytes;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips the current field's value, whatever its wire type.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case Varint:
                ReadRawVarint();
                break;
            case Fixed64:
                _position += 8;
                break;
            case LengthDelimited:
                var length = checked((int)ReadRawVarint()); // not `_position += Read…()`: that adds to the position before the read
                _position += length;
                break;
            case Fixed32:
                _position += 4;
                break;
            default:
                throw new FormatException($"Unsupported wire type {WireType} (field {FieldNumber}).");
        }

        if (_position > _data.Length)
        {
            throw new FormatException("A field runs past the end of the message.");
        }
    }

    readonly void Expect(int wireType)
    {
        if (WireType != wireType)
        {
            throw new FormatException($"Field {FieldNumber} has wire type {WireType}, expected {wireType}.");
        }
    }

    ulong ReadRawVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("A varint is longer than 10 bytes.");
    }
}
