using GoMicro.ServiceDefaults.Data;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.Users.Accounts;

namespace GoMicro.Users.Tests;

/// <summary>The one back-off formula and the one timestamp truncation, as their callers use them.</summary>
public sealed class BackoffTests
{
    [Fact]
    public void Lockouts_in_a_row_double_up_to_the_maximum()
    {
        var lockouts = Enumerable.Range(1, 4).Select(n => LoginLimits.BackOff(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), n));

        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)], lockouts);
    }

    [Fact]
    public void Exponential_back_off_never_overflows_and_treats_no_failure_as_the_first()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.Exponential(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), 0));
        Assert.Equal(TimeSpan.FromHours(1), Backoff.Exponential(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), int.MaxValue));
    }

    [Fact]
    public void Dependency_waits_start_at_a_quarter_second_and_stop_growing_at_the_cap_plus_jitter()
    {
        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(Backoff.Capped(1), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(499));
            Assert.InRange(Backoff.Capped(3), TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(1249));
            Assert.InRange(Backoff.Capped(40), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10_249));
            Assert.InRange(Backoff.Capped(40, TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(2249));
        }
    }

    [Fact]
    public void Timestamps_are_truncated_to_the_microseconds_PostgreSQL_stores()
    {
        var time = new DateTimeOffset(2026, 12, 1, 23, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 23, 0, 0, TimeSpan.Zero).AddTicks(1_234_560), time.TruncateToPostgresPrecision());
        Assert.Equal(0, new FakeClock(time).GetUtcNowForPostgres().Ticks % TimeSpan.TicksPerMicrosecond);
    }

    private sealed class FakeClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
