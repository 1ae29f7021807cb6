global using GoMicro.ServiceDefaults.Grpc;
global using StackExchange.Redis;
