using Mesh.Engine.Api;

namespace Mesh.Tests.Engine;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Text_that_may_start_a_stop_sequence_is_held_until_decided()
    {
        var matcher = new StopSequenceMatcher(["END"]);
        Assert.Equal("abc", matcher.Append("abcE"));
        Assert.Equal(string.Empty, matcher.Append("N"));
        Assert.Equal("ENx", matcher.Append("x"));
        Assert.False(matcher.Stopped);
    }

    [Fact]
    public void A_stop_sequence_split_across_pieces_stops_the_text_before_it()
    {
        var matcher = new StopSequenceMatcher(["\n\n", "STOP"]);
        Assert.Equal("hello ", matcher.Append("hello ST"));
        Assert.Equal(string.Empty, matcher.Append("OP and more"));
        Assert.True(matcher.Stopped);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Without_stops_everything_passes()
    {
        var matcher = new StopSequenceMatcher(null);
        Assert.Equal("a", matcher.Append("a"));
        Assert.Equal(string.Empty, matcher.Flush());
    }
}
