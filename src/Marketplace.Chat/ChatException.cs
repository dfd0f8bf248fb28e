namespace Marketplace.Chat;

/// <summary>
/// Represents an expected refusal: a rule of the chat said no. The message is written for a person
/// and is safe to show to the caller; the code is stable for programs.
/// </summary>
public sealed class ChatException : Exception
{
    /// <summary>Initializes a new instance with a code and a readable reason.</summary>
    public ChatException(ChatErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Initializes a new instance with the default reason for <see cref="ChatErrorCode.InvalidArgument"/>.</summary>
    public ChatException()
        : this(ChatErrorCode.InvalidArgument, "The request is not valid.")
    {
    }

    /// <summary>Initializes a new instance with the <see cref="ChatErrorCode.InvalidArgument"/> code.</summary>
    public ChatException(string message)
        : this(ChatErrorCode.InvalidArgument, message)
    {
    }

    /// <summary>Initializes a new instance with the <see cref="ChatErrorCode.InvalidArgument"/> code and an inner exception.</summary>
    public ChatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ChatErrorCode.InvalidArgument;
    }

    /// <summary>Gets the stable code of the refusal.</summary>
    public ChatErrorCode Code { get; }

    /// <summary>Gets whether the refusal was already counted on the refusals metric where it was decided.</summary>
    internal bool Counted { get; init; }
}
