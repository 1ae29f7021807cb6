global using GoMicro.Products.Model;
global using GoMicro.ServiceDefaults.Data;
global using GoMicro.ServiceDefaults.Grpc;
global using Microsoft.EntityFrameworkCore;
